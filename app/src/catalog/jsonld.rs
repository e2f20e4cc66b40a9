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
    script_safe(&doc.to_string())
}

/// JSON made safe to stand inside a `<script>` element: `<`, `>` and `&` (which could
/// end the element, or open a comment that changes how the HTML parser reads it) and
/// the two line separators JavaScript once rejected are written as `\u` escapes, which
/// every JSON reader reads back as the same text.
pub fn script_safe(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::script_safe;

    #[test]
    fn nothing_in_a_string_can_end_the_script() {
        let value = serde_json::json!({
            "name": "</script><script>alert(1)</script><!-- & \u{2028}"
        });
        let safe = script_safe(&value.to_string());
        for bad in ["<", ">", "&", "\u{2028}"] {
            assert!(!safe.contains(bad), "{safe}");
        }
        let back: serde_json::Value = serde_json::from_str(&safe).expect("still JSON");
        assert_eq!(back, value);
    }
}
