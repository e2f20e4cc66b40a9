//! A multipart form (a file upload) read one part at a time, each within its limit, so
//! the caller can check what the first fields say (who may do what) before a file is
//! read, and nothing larger than allowed is ever held.

use crate::staff::model::AdminError;
use leptos::server_fn::codec::MultipartData;

/// A form's part: its field name, the file's name as we keep it (for a file), its bytes.
pub struct Part {
    pub name: String,
    pub file_name: Option<String>,
    pub bytes: Vec<u8>,
}

impl Part {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.bytes).into_owned()
    }
}

pub struct Upload {
    form: multer::Multipart<'static>,
    /// The largest file part, and what to say past it.
    file_limit: usize,
    too_large: &'static str,
}

fn bad(m: &str) -> AdminError {
    AdminError::InvalidInput(m.to_owned())
}

impl Upload {
    pub fn new(
        data: MultipartData,
        file_limit: usize,
        too_large: &'static str,
    ) -> Result<Upload, AdminError> {
        Ok(Upload {
            form: data
                .into_inner()
                .ok_or_else(|| bad("send the file from its form"))?,
            file_limit,
            too_large,
        })
    }

    /// The next part (a text field may hold at most 1,000 bytes).
    pub async fn next(&mut self) -> Result<Option<Part>, AdminError> {
        let cut = || bad("the upload was cut short; send it again");
        let Some(mut field) = self.form.next_field().await.map_err(|_| cut())? else {
            return Ok(None);
        };
        let name = field.name().unwrap_or("").to_owned();
        let file_name = field.file_name().map(crate::imports::ssr::file_name);
        let limit = if file_name.is_some() {
            self.file_limit
        } else {
            1_000
        };
        let mut bytes = Vec::new();
        while let Some(chunk) = field.chunk().await.map_err(|_| cut())? {
            if bytes.len() + chunk.len() > limit {
                return Err(bad(if file_name.is_some() {
                    self.too_large
                } else {
                    "the form is not the one this page sends"
                }));
            }
            bytes.extend_from_slice(&chunk);
        }
        Ok(Some(Part {
            name,
            file_name,
            bytes,
        }))
    }
}
