//! The catalog's admin server functions (permission `products`).

// The product form posts its fields one by one (a plain form, no JavaScript needed); the
// browser's side of the server function has them all as arguments too.
#![allow(clippy::too_many_arguments)]

use super::model::{Comparison, ProductEdit, ProductFilter, ProductList};
use crate::staff::model::AdminError;
use leptos::prelude::*;
use leptos::server_fn::codec::{
    GetUrl, MultipartData, MultipartFormData, StreamingText, TextStream,
};

#[server(endpoint = "admin/products", input = GetUrl)]
pub async fn admin_products(
    #[server(flatten)] filter: ProductFilter,
) -> Result<ProductList, AdminError> {
    let result = async {
        let (staff, _) =
            crate::staff::api::signed(crate::staff::model::Permission::Products).await?;
        super::ssr::list::list(staff.pool(), &filter)
            .await
            .map_err(|e| match e {
                super::ssr::list::ListError::Invalid(m) => AdminError::InvalidInput(m),
                other => crate::staff::ssr::unavailable(other),
            })
    }
    .await;
    crate::flash::error_status(&result);
    result
}

/// A product's edit page; `id` 0 is a new product's empty form.
#[server(endpoint = "admin/product", input = GetUrl)]
pub async fn product_for_staff(id: i64) -> Result<ProductEdit, AdminError> {
    let result = async {
        let (staff, _) =
            crate::staff::api::signed(crate::staff::model::Permission::Products).await?;
        if id == 0 {
            return super::ssr::edit::blank(staff.pool()).await;
        }
        super::ssr::edit::page(staff.pool(), id, &staff.accounts.site.public_url).await
    }
    .await;
    crate::flash::error_status(&result);
    result
}

#[server(endpoint = "admin/product/compare", input = GetUrl)]
pub async fn compare_revisions(id: i64, from: i32, to: i32) -> Result<Comparison, AdminError> {
    let result = async {
        let (staff, _) =
            crate::staff::api::signed(crate::staff::model::Permission::Products).await?;
        super::ssr::revisions::compare(staff.pool(), id, from, to).await
    }
    .await;
    crate::flash::error_status(&result);
    result
}

/// Creates (no `id`) or saves a product from its edit form. Variants come as parallel
/// lists (`variant_id[]`, `sku[]`, `price[]`, `values[]`, option values separated by
/// commas); a row left blank is no variant; `remove[]` names variants to remove.
#[server(endpoint = "admin/products/save")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
pub async fn save_product(
    #[server(default)] id: String,
    #[server(default)] version: String,
    #[server(default)] title: String,
    #[server(default)] slug: String,
    #[server(default)] description: String,
    #[server(default)] status: String,
    #[server(default)] brand: String,
    #[server(default)] category: String,
    #[server(default)] featured: Option<String>,
    #[server(default)] seo_title: String,
    #[server(default)] seo_description: String,
    #[server(default)] options: String,
    #[server(default)] attributes: Option<String>,
    #[server(default)] currency: String,
    #[server(default)] variant_id: Vec<String>,
    #[server(default)] sku: Vec<String>,
    #[server(default)] price: Vec<String>,
    #[server(default)] values: Vec<String>,
    #[server(default)] remove: Vec<String>,
) -> Result<i64, AdminError> {
    let result = async {
        let (staff, signer) =
            crate::staff::api::signed(crate::staff::model::Permission::Products).await?;
        let form = super::ssr::form::ProductForm {
            title,
            slug,
            description,
            status,
            brand,
            category,
            featured: featured.is_some_and(|f| !f.is_empty() && f != "false"),
            seo_title,
            seo_description,
            options,
            attributes,
            currency,
            variant_id,
            sku,
            price,
            values,
            remove,
        };
        let draft = form.draft().map_err(AdminError::InvalidInput)?;
        let id = match id.trim() {
            "" | "0" => None,
            text => Some(text.parse::<i64>().map_err(|_| AdminError::NotFound)?),
        };
        let version = match version.trim() {
            "" => 0,
            text => text
                .parse::<i32>()
                .map_err(|_| AdminError::InvalidInput("reload the page and try again".into()))?,
        };
        use super::ssr::edit::Saved;
        match super::ssr::edit::save(staff.pool(), &signer.actor, id, version, &draft, "edit")
            .await?
        {
            Saved::Created(id) | Saved::Changed(id) | Saved::Unchanged(id) => Ok(id),
        }
    }
    .await;
    let then = result
        .as_ref()
        .ok()
        .map(|id| format!("/admin/products/{id}"));
    crate::flash::reply(&result, "Product saved.", then.as_deref());
    result
}

/// Makes an earlier revision the product's content again (as a new revision).
#[server(endpoint = "admin/products/rollback")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
pub async fn rollback_product(
    #[server(default)] id: i64,
    #[server(default)] revision: i32,
    #[server(default)] version: i32,
) -> Result<(), AdminError> {
    let result = async {
        let (staff, signer) =
            crate::staff::api::signed(crate::staff::model::Permission::Products).await?;
        super::ssr::revisions::rollback(staff.pool(), &signer.actor, id, revision, version)
            .await
            .map(|_| ())
    }
    .await;
    let then = format!("/admin/products/{id}");
    crate::flash::reply(
        &result,
        &format!("Rolled back to revision {revision}."),
        Some(&then),
    );
    result
}

/// Changes the chosen products' status, category or prices (by a percentage) as one
/// audited operation.
#[server(endpoint = "admin/products/bulk")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
pub async fn bulk_products(
    #[server(default)] ids: Vec<String>,
    #[server(default)] action: String,
    #[server(default)] status: String,
    #[server(default)] category: String,
    #[server(default)] percent: String,
    #[server(default)] key: String,
) -> Result<usize, AdminError> {
    let result = async {
        let (staff, signer) =
            crate::staff::api::signed(crate::staff::model::Permission::Products).await?;
        let ids = ids
            .iter()
            .map(|i| i.trim().parse::<i64>())
            .collect::<Result<Vec<_>, _>>()
            .map_err(|_| AdminError::InvalidInput("choose products from the list".into()))?;
        let value = match action.trim() {
            "status" => &status,
            "category" => &category,
            _ => &percent,
        };
        let bulk =
            super::ssr::bulk::Bulk::parse(&action, value).map_err(AdminError::InvalidInput)?;
        super::ssr::bulk::run(staff.pool(), &signer.actor, &ids, &bulk, &key).await
    }
    .await;
    let message = match &result {
        Ok(1) => "1 product changed.".to_owned(),
        Ok(n) => format!("{n} products changed."),
        Err(_) => String::new(),
    };
    crate::flash::reply(&result, &message, None);
    result
}

/// The products the filter matches as CSV, one line per variant (a download; recorded in
/// the log).
#[server(endpoint = "admin/products.csv", input = GetUrl, output = StreamingText)]
pub async fn export_products(
    #[server(flatten)] filter: ProductFilter,
) -> Result<TextStream<AdminError>, AdminError> {
    let result = export(filter).await;
    crate::flash::error_status(&result);
    result
}

#[cfg(feature = "ssr")]
async fn export(filter: ProductFilter) -> Result<TextStream<AdminError>, AdminError> {
    use futures::StreamExt;
    let (staff, signer) =
        crate::staff::api::signed(crate::staff::model::Permission::Products).await?;
    let lines = super::ssr::export::export(staff.pool().clone(), filter.clone())
        .map_err(AdminError::InvalidInput)?;
    let tx = staff
        .pool()
        .begin()
        .await
        .map_err(crate::staff::ssr::unavailable)?;
    crate::audit::record_and_commit(
        tx,
        &signer.actor,
        crate::audit::Change {
            action: "products.export",
            entity: "product",
            entity_id: String::new(),
            before: None,
            after: Some(serde_json::to_value(&filter).unwrap_or_default()),
        },
    )
    .await
    .map_err(crate::staff::ssr::unavailable)?;
    crate::admin::download("text/csv; charset=utf-8", "products.csv");
    Ok(TextStream::new(
        lines.map(|line| line.map_err(|_| AdminError::Unavailable)),
    ))
}

/// A product's photos in order.
#[server(endpoint = "admin/products/images", input = GetUrl)]
pub async fn product_images(id: i64) -> Result<super::model::ImageBoard, AdminError> {
    let result = async {
        let (staff, _) =
            crate::staff::api::signed(crate::staff::model::Permission::Products).await?;
        super::ssr::images::board(staff.pool(), id).await
    }
    .await;
    crate::flash::error_status(&result);
    result
}

/// A photo for a product (fields `id`, `key`, `alt`, then `file`): checked on its bytes,
/// stored in WebP widths and added after the product's other photos.
#[server(endpoint = "admin/products/images/upload", input = MultipartFormData)]
pub async fn upload_product_image(data: MultipartData) -> Result<i64, AdminError> {
    let result = upload_image(data).await;
    let then = result
        .as_ref()
        .ok()
        .map(|id| format!("/admin/products/{id}#photos"));
    crate::flash::reply(&result, "Photo added.", then.as_deref());
    result
}

#[cfg(feature = "ssr")]
async fn upload_image(data: MultipartData) -> Result<i64, AdminError> {
    use super::ssr::images::MAX_BYTES;
    let bad = |m: &str| AdminError::InvalidInput(m.to_owned());
    // Nobody without the permission gets the body read.
    let (staff, signer) =
        crate::staff::api::signed(crate::staff::model::Permission::Products).await?;
    let store: crate::media::ssr::ImageStore =
        crate::context::dep().ok_or(AdminError::Unavailable)?;
    let mut form =
        crate::admin::upload::Upload::new(data, MAX_BYTES, "the photo is larger than 10 MB")?;
    let (mut id, mut key, mut alt) = (None, String::new(), String::new());
    let mut file: Option<(String, Vec<u8>)> = None;
    while let Some(part) = form.next().await? {
        match part.name.as_str() {
            "id" => id = part.text().trim().parse::<i64>().ok(),
            "key" => key = part.text(),
            "alt" => alt = part.text(),
            "file" => file = Some((part.file_name.clone().unwrap_or_default(), part.bytes)),
            _ => {}
        }
    }
    let id = id.ok_or(AdminError::NotFound)?;
    let (name, bytes) = file.ok_or_else(|| bad("choose a photo to upload"))?;
    super::ssr::images::upload(
        staff.pool(),
        &store,
        &signer.actor,
        &key,
        id,
        &name,
        bytes,
        &alt,
    )
    .await?;
    Ok(id)
}

/// A photo's alt text.
#[server(endpoint = "admin/products/images/alt")]
pub async fn describe_product_image(
    #[server(default)] id: i64,
    #[server(default)] image: i64,
    #[server(default)] alt: String,
) -> Result<(), AdminError> {
    let result = async {
        let (staff, signer) =
            crate::staff::api::signed(crate::staff::model::Permission::Products).await?;
        super::ssr::images::describe(staff.pool(), &signer.actor, id, image, &alt).await
    }
    .await;
    crate::flash::reply(
        &result,
        "Alt text saved.",
        Some(&format!("/admin/products/{id}#photos")),
    );
    result
}

/// A photo one place earlier (`direction` "up") or later ("down").
#[server(endpoint = "admin/products/images/move")]
pub async fn move_product_image(
    #[server(default)] id: i64,
    #[server(default)] image: i64,
    #[server(default)] direction: String,
    #[server(default)] key: String,
) -> Result<(), AdminError> {
    let result = async {
        let (staff, signer) =
            crate::staff::api::signed(crate::staff::model::Permission::Products).await?;
        let earlier = match direction.as_str() {
            "up" => true,
            "down" => false,
            _ => return Err(AdminError::InvalidInput("move a photo up or down".into())),
        };
        super::ssr::images::reorder(staff.pool(), &signer.actor, &key, id, image, earlier)
            .await
            .map(|_| ())
    }
    .await;
    crate::flash::reply(
        &result,
        "Photo moved.",
        Some(&format!("/admin/products/{id}#photos")),
    );
    result
}

/// Takes a photo off the product.
#[server(endpoint = "admin/products/images/remove")]
pub async fn remove_product_image(
    #[server(default)] id: i64,
    #[server(default)] image: i64,
) -> Result<(), AdminError> {
    let result = async {
        let (staff, signer) =
            crate::staff::api::signed(crate::staff::model::Permission::Products).await?;
        super::ssr::images::remove(staff.pool(), &signer.actor, id, image).await
    }
    .await;
    crate::flash::reply(
        &result,
        "Photo removed.",
        Some(&format!("/admin/products/{id}#photos")),
    );
    result
}
