//! Facts about the site that pages, links and e-mails need.

/// The site's name, public address and page size (from settings).
#[derive(Clone, Debug)]
pub struct Site {
    pub name: String,
    /// Absolute base URL without a trailing slash, for canonical links, the sitemap and
    /// links in e-mails.
    pub public_url: String,
    pub page_size: i64,
}

impl Site {
    pub fn absolute(&self, path: &str) -> String {
        format!("{}{}", self.public_url, path)
    }
}
