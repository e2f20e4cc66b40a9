//! A product's attributes as staff edit them: read as `name = value` lines, checked
//! (each name once, values of number and yes/no attributes of that kind) and written
//! whole when they changed. A name the shop has not seen becomes a new text attribute.

use crate::catalog::admin::model::DraftAttribute;
use crate::catalog::ids::Slug;
use crate::staff::model::AdminError;
use crate::staff::ssr::unavailable;
use sqlx::PgConnection;

/// The most attributes a product carries.
const MAX: usize = 50;

/// The form's text as attributes, or what is wrong with it.
pub fn parse(text: &str) -> Result<Vec<DraftAttribute>, String> {
    let mut out: Vec<DraftAttribute> = Vec::new();
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let (name, value) = line
            .split_once('=')
            .ok_or_else(|| format!("write each attribute as name = value (not {line:?})"))?;
        let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
        let value = value.trim().to_owned();
        if name.is_empty() || name.chars().count() > 100 {
            return Err("an attribute's name is 1 to 100 characters".into());
        }
        if value.is_empty() || value.chars().count() > 200 {
            return Err(format!("{name}: a value is 1 to 200 characters"));
        }
        code(&name)?;
        if out.iter().any(|a| code(&a.name) == code(&name)) {
            return Err(format!("{name} is there twice"));
        }
        out.push(DraftAttribute { name, value });
    }
    if out.len() > MAX {
        return Err(format!("a product can have at most {MAX} attributes"));
    }
    Ok(out)
}

/// An attribute's code from its name: "Plant type" -> "plant_type".
fn code(name: &str) -> Result<String, String> {
    Slug::from_title(name)
        .map(|s| s.as_str().replace('-', "_"))
        .map_err(|_| format!("the attribute name {name:?} needs letters or digits"))
}

/// The product's attributes, in the order shoppers see them.
pub async fn load(
    conn: &mut PgConnection,
    product: i64,
) -> Result<Vec<DraftAttribute>, sqlx::Error> {
    Ok(sqlx::query!(
        r#"SELECT a.name,
                  coalesce(pa.value_text, pa.value_number::text,
                           CASE WHEN pa.value_boolean THEN 'yes' ELSE 'no' END) AS "value!"
             FROM product_attributes pa JOIN attributes a ON a.id = pa.attribute_id
            WHERE pa.product_id = $1 ORDER BY a.name, pa.position"#,
        product
    )
    .fetch_all(conn)
    .await?
    .into_iter()
    .map(|r| DraftAttribute {
        name: r.name,
        value: r.value,
    })
    .collect())
}

/// Replaces the product's attributes with `list`.
pub async fn write(
    conn: &mut PgConnection,
    product: i64,
    list: &[DraftAttribute],
) -> Result<(), AdminError> {
    sqlx::query!(
        "DELETE FROM product_attributes WHERE product_id = $1",
        product
    )
    .execute(&mut *conn)
    .await
    .map_err(unavailable)?;
    for a in list {
        let code = code(&a.name).map_err(AdminError::InvalidInput)?;
        let kind = sqlx::query_scalar!(
            "INSERT INTO attributes (code, name, kind) VALUES ($1, $2, 'text')
             ON CONFLICT (code) DO UPDATE SET code = EXCLUDED.code
             RETURNING kind::text AS \"kind!\"",
            code,
            a.name
        )
        .fetch_one(&mut *conn)
        .await
        .map_err(unavailable)?;
        let (text, number, boolean) = match kind.as_str() {
            "number" => {
                let n = a.value.replace(',', "");
                if n.parse::<f64>().map_or(true, |v| !v.is_finite()) {
                    return Err(AdminError::InvalidInput(format!(
                        "{}: {:?} is not a number",
                        a.name, a.value
                    )));
                }
                (None, Some(n), None)
            }
            "boolean" => match a.value.to_lowercase().as_str() {
                "yes" | "true" | "1" => (None, None, Some(true)),
                "no" | "false" | "0" => (None, None, Some(false)),
                _ => {
                    return Err(AdminError::InvalidInput(format!(
                        "{}: say yes or no",
                        a.name
                    )));
                }
            },
            _ => (Some(a.value.clone()), None, None),
        };
        sqlx::query!(
            "INSERT INTO product_attributes (product_id, attribute_id, value_text, value_number, value_boolean)
             SELECT $1, id, $3, $4::text::numeric, $5 FROM attributes WHERE code = $2",
            product,
            code,
            text,
            number,
            boolean
        )
        .execute(&mut *conn)
        .await
        .map_err(unavailable)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_become_attributes_or_a_reason() {
        let list = parse("Material = Oak\n\n  Wattage   =  40 \nWater proof=yes").unwrap();
        assert_eq!(list.len(), 3);
        assert_eq!(list[1].name, "Wattage");
        assert_eq!(list[1].value, "40");
        assert!(parse("Material Oak").unwrap_err().contains("name = value"));
        assert!(
            parse("Material = Oak\nmaterial = Pine")
                .unwrap_err()
                .contains("twice")
        );
        assert!(parse("= Oak").is_err());
        assert!(parse("Material =").is_err());
        assert!(parse("!!! = x").unwrap_err().contains("letters or digits"));
    }
}
