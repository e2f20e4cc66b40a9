//! schema.org Product data for search engines.

use super::model::ProductDetail;
use serde_json::json;

/// The Product JSON-LD of a product page, safe to embed in a `<script>` element.
pub fn product_json_ld(p: &ProductDetail) -> String {
    let images: Vec<String> = p
        .images
        .iter()
        .map(|i| format!("{}{}", p.public_url, i.url(i.best_width(1024))))
        .collect();
    let offers: Vec<serde_json::Value> = p
        .variants
        .iter()
        .map(|v| {
            json!({
                "@type": "Offer",
                "sku": v.sku,
                "price": v.price.decimal_string(),
                "priceCurrency": v.price.currency().code(),
                "availability": v.availability.schema_org(),
                "url": format!("{}?variant={}", p.canonical, v.sku),
            })
        })
        .collect();
    let mut doc = json!({
        "@context": "https://schema.org",
        "@type": "Product",
        "name": p.title,
        "description": p.description,
        "url": p.canonical,
        "image": images,
        "offers": offers,
    });
    if let Some(first) = p.variants.first() {
        doc["sku"] = json!(first.sku);
    }
    if let Some(brand) = &p.brand {
        doc["brand"] = json!({ "@type": "Brand", "name": brand });
    }
    if !p.breadcrumbs.is_empty() {
        doc["category"] = json!(
            p.breadcrumbs
                .iter()
                .map(|c| c.name.as_str())
                .collect::<Vec<_>>()
                .join(" > ")
        );
    }
    // "</script>" inside a string would end the element early.
    doc.to_string().replace("</", "<\\/")
}
