//! Each class of relevance problem, fixed and kept fixed, on a small home-improvement
//! and electronics catalog built in memory (the engine exactly as the shop runs it).

use super::Engine;
use crate::search::ssr::source::{Labels, ProductDoc};
use chrono::Utc;

const CATALOG: &[(&str, &str, &str, &str)] = &[
    // title, brand, category, description
    (
        "Apple iPhone 15 128GB Black",
        "Apple",
        "Phones",
        "The phone.",
    ),
    (
        "Silicone Case for iPhone 15",
        "Casely",
        "Phone Accessories",
        "Soft touch case.",
    ),
    (
        "iPhone 15 Clear Case",
        "Casely",
        "Phone Accessories",
        "A clear case.",
    ),
    (
        "iPhone Screen Protector 2-Pack",
        "Casely",
        "Phone Accessories",
        "Glass.",
    ),
    (
        "Cuisinart 12-Cup Coffee Maker in Black",
        "Cuisinart",
        "Coffee Makers",
        "Brews coffee.",
    ),
    (
        "Coffee Maker Water Filter (2-Pack)",
        "Cuisinart",
        "Coffee Maker Parts",
        "Filters.",
    ),
    (
        "Replacement Carafe for Coffee Maker",
        "Cuisinart",
        "Coffee Maker Parts",
        "Glass carafe.",
    ),
    (
        "Oak Bookshelf with 5 Shelves",
        "Woodworks",
        "Furniture",
        "Solid oak.",
    ),
    (
        "Wall Mounted Book Shelf",
        "Woodworks",
        "Furniture",
        "Floating.",
    ),
    ("Floral Wallpaper Roll", "Decor", "Decor", "Vinyl."),
    ("Polarised Sun Glasses", "Ray", "Accessories", "UV400."),
    (
        "KitchenAid Stand Mixer",
        "KitchenAid",
        "Kitchen",
        "Tilt head.",
    ),
    (
        "Kitchen Aid Apron",
        "Cotton Co",
        "Kitchen",
        "An apron that helps in the kitchen.",
    ),
    (
        "2 in. x 6 in. x 8 ft. Lumber",
        "Mill",
        "Lumber",
        "Kiln dried stud.",
    ),
    ("2 in. x 4 in. x 8 ft. Stud", "Mill", "Lumber", "Framing."),
    ("26 in. Garden Rake", "Yard", "Garden", "Steel tines."),
    (
        "1/2 in. x 10 ft. Copper Pipe",
        "Pipeco",
        "Plumbing",
        "Type M.",
    ),
    (
        "3/4 in. x 10 ft. Copper Pipe",
        "Pipeco",
        "Plumbing",
        "Type M.",
    ),
    (
        "R-30 Fiberglass Insulation Batt",
        "Owens",
        "Insulation",
        "Unfaced.",
    ),
    (
        "R-13 Fiberglass Insulation Batt",
        "Owens",
        "Insulation",
        "Kraft faced.",
    ),
    (
        "DeWalt DW735X Thickness Planer",
        "DeWalt",
        "Power Tools",
        "13 in. two speed.",
    ),
    ("Interior Paint Gallon", "Behr", "Paint", "Eggshell."),
    ("Painting Drop Cloth", "Behr", "Paint", "Canvas."),
    ("Paint Brush Set", "Behr", "Paint", "Three brushes."),
    ("Corner Cupboard", "Woodworks", "Furniture", "Pine."),
    ("Brass Cup Hooks", "Hardware Co", "Hardware", "Pack of 20."),
];

fn engine() -> Engine {
    let mut labels = Labels::default();
    let docs: Vec<ProductDoc> = CATALOG
        .iter()
        .enumerate()
        .map(|(i, (title, brand, category, description))| {
            let path = category.to_lowercase().replace(' ', "-");
            labels
                .categories
                .insert(path.clone(), (*category).to_owned());
            let brand_slug = brand.to_lowercase().replace(' ', "-");
            labels
                .brands
                .insert(brand_slug.clone(), (*brand).to_owned());
            ProductDoc {
                id: i as i64 + 1,
                slug: format!("p{i}"),
                title: (*title).to_owned(),
                description: (*description).to_owned(),
                created_at: Utc::now(),
                brand_slug: Some(brand_slug),
                brand_name: Some((*brand).to_owned()),
                category_path: Some(path),
                min_price: 1000,
                max_price: 1000,
                currency: "USD".into(),
                in_stock: true,
                skus: vec![format!("SKU-{i:03}")],
                attributes: Vec::new(),
                image: None,
                units_sold: 0,
            }
        })
        .collect();
    Engine::build(&docs, labels, &[]).expect("an index in memory")
}

fn titles(e: &Engine, q: &str) -> Vec<String> {
    e.search(q)
        .expect("a search")
        .hits
        .into_iter()
        .map(|h| h.card.title)
        .collect()
}

fn first(e: &Engine, q: &str) -> String {
    titles(e, q).into_iter().next().unwrap_or_default()
}

#[test]
fn the_product_outranks_its_accessories() {
    let e = engine();
    assert_eq!(first(&e, "iphone"), "Apple iPhone 15 128GB Black");
    assert_eq!(
        first(&e, "coffee maker"),
        "Cuisinart 12-Cup Coffee Maker in Black"
    );
    // Unless the query asks for the accessory.
    let cases = titles(&e, "iphone case");
    assert!(cases[..2].iter().all(|t| t.contains("Case")), "{cases:?}");
    assert_eq!(
        first(&e, "coffee maker filter"),
        "Coffee Maker Water Filter (2-Pack)"
    );
    assert_eq!(
        first(&e, "carafe for coffee maker"),
        "Replacement Carafe for Coffee Maker"
    );
}

#[test]
fn words_run_together_or_apart_find_each_other() {
    let e = engine();
    for q in ["bookshelf", "book shelf"] {
        let t = titles(&e, q);
        assert!(
            t.contains(&"Oak Bookshelf with 5 Shelves".to_owned()),
            "{q}: {t:?}"
        );
        assert!(
            t.contains(&"Wall Mounted Book Shelf".to_owned()),
            "{q}: {t:?}"
        );
    }
    assert_eq!(first(&e, "wall paper"), "Floral Wallpaper Roll");
    assert_eq!(first(&e, "sunglasses"), "Polarised Sun Glasses");
    assert_eq!(first(&e, "sun glasses"), "Polarised Sun Glasses");
    // A brand stays whole: "kitchenaid" is the brand, not every kitchen product.
    assert_eq!(titles(&e, "kitchenaid")[0], "KitchenAid Stand Mixer");
    assert_eq!(first(&e, "kitchen aid mixer"), "KitchenAid Stand Mixer");
}

#[test]
fn dimensions_units_and_codes_match_however_written() {
    let e = engine();
    for q in ["2x6", "2 x 6", "2-by-6", "2 by 6 lumber"] {
        assert_eq!(first(&e, q), "2 in. x 6 in. x 8 ft. Lumber", "{q}");
    }
    for q in ["1/2 in. copper pipe", "0.5 inch copper pipe", "1/2\" pipe"] {
        assert_eq!(first(&e, q), "1/2 in. x 10 ft. Copper Pipe", "{q}");
    }
    for q in ["r-30", "r30", "R30 insulation"] {
        assert_eq!(first(&e, q), "R-30 Fiberglass Insulation Batt", "{q}");
    }
    for q in ["dw735x", "dw-735x", "DW 735X"] {
        let t = titles(&e, q);
        assert_eq!(
            t.first().map(String::as_str),
            Some("DeWalt DW735X Thickness Planer"),
            "{q}"
        );
    }
    // A SKU typed without its hyphen.
    assert_eq!(first(&e, "sku007"), CATALOG[7].0);
    // "Did you mean" never turns a size into another number.
    let r = e.search("2x6").unwrap();
    assert_eq!(r.did_you_mean, None);
    let r = e.search("2x7 lumber").unwrap();
    assert_ne!(r.did_you_mean.as_deref(), Some("26 lumber"));
    assert!(!titles(&e, "2x6").contains(&"26 in. Garden Rake".to_owned()));
}

#[test]
fn a_word_nothing_has_is_left_out_and_said() {
    let e = engine();
    let r = e.search("oak bookshelf waterproof").unwrap();
    assert_eq!(r.ignored, ["waterproof"]);
    assert_eq!(r.hits[0].card.title, "Oak Bookshelf with 5 Shelves");
    // Few products with every word: widened, keeping the product type.
    let r = e.search("oak copper pipe").unwrap();
    assert!(r.relaxed, "{:?}", r.hits);
    assert!(!r.hits.is_empty());
    assert!(
        r.hits.iter().all(|h| h.card.title.contains("Pipe")),
        "{:?}",
        r.hits
    );
    // Enough products with every word: nothing widened.
    let r = e.search("copper pipe").unwrap();
    assert!(!r.relaxed);
    assert_eq!(r.hits.len(), 2);
}

#[test]
fn prefixes_only_for_a_last_word_that_matches_nothing_alone() {
    let e = engine();
    // "cup" is a word of the catalog: "cupboard" does not match it by prefix.
    let t = titles(&e, "cup");
    assert!(t.contains(&"Brass Cup Hooks".to_owned()), "{t:?}");
    assert!(!t.contains(&"Corner Cupboard".to_owned()), "{t:?}");
    // Suggestions still complete it.
    let e2 = &e;
    let suggested = e2.suggest("cup").unwrap();
    assert!(
        suggested.iter().any(|s| s.label == "Corner Cupboard"),
        "{suggested:?}"
    );
    // An unfinished word still finds what it begins.
    assert!(titles(&e, "thickn").contains(&"DeWalt DW735X Thickness Planer".to_owned()));
}
