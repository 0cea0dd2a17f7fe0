//! Printing a page to PDF the way a person's "Print → Save as PDF" does (`Page.printToPDF`),
//! on a chosen paper size, and counting the pages of the result.

use base64::Engine as _;
use serde_json::json;

use crate::browser::string_field;
use crate::{BrowserError, Page};

/// A paper size in inches, as `Page.printToPDF` takes it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Paper {
    /// Width, inches.
    pub width_in: f64,
    /// Height, inches.
    pub height_in: f64,
}

impl Paper {
    /// ISO A4, 210 × 297 mm.
    pub const A4: Paper = Paper {
        width_in: 210.0 / 25.4,
        height_in: 297.0 / 25.4,
    };
    /// US Letter, 8.5 × 11 in.
    pub const LETTER: Paper = Paper {
        width_in: 8.5,
        height_in: 11.0,
    };
    /// A US business card, 3.5 × 2 in (landscape).
    pub const BUSINESS_CARD: Paper = Paper {
        width_in: 3.5,
        height_in: 2.0,
    };
}

impl Page {
    /// Prints the page to PDF on `paper` with the browser's default margins, no header or
    /// footer and no background graphics (a printer's defaults), honouring the page's own
    /// `@page` margins. Returns the PDF's bytes.
    pub async fn print_pdf(&self, paper: Paper) -> Result<Vec<u8>, BrowserError> {
        const METHOD: &str = "Page.printToPDF";
        let answer = self
            .call(
                METHOD,
                json!({
                    "paperWidth": paper.width_in,
                    "paperHeight": paper.height_in,
                    "displayHeaderFooter": false,
                    "printBackground": false,
                    "preferCSSPageSize": false,
                }),
            )
            .await?;
        let data = string_field(&answer, METHOD, "data")?;
        base64::engine::general_purpose::STANDARD
            .decode(data)
            .map_err(|e| BrowserError::UnexpectedResponse {
                method: METHOD.to_owned(),
                detail: format!("data is not base64: {e}"),
            })
    }
}

/// How many pages a PDF from Chromium has: its `/Type /Page` objects (not `/Pages`, the
/// page tree). Chromium writes page dictionaries uncompressed.
pub fn pdf_page_count(pdf: &[u8]) -> usize {
    let mut count = 0;
    for (at, _) in pdf.windows(5).enumerate().filter(|(_, w)| *w == b"/Type") {
        let rest = &pdf[at + 5..];
        let rest = &rest[rest.iter().take_while(|b| b.is_ascii_whitespace()).count()..];
        if let Some(after) = rest.strip_prefix(b"/Page")
            && !after.first().is_some_and(u8::is_ascii_alphanumeric)
        {
            count += 1;
        }
    }
    count
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_are_counted_without_the_page_tree() {
        let pdf = b"1 0 obj << /Type /Pages /Kids [2 0 R 3 0 R] >> endobj \
                    2 0 obj << /Type /Page /Parent 1 0 R >> endobj \
                    3 0 obj <</Type/Page/Parent 1 0 R>> endobj \
                    4 0 obj << /Type /PageLabel >> endobj";
        assert_eq!(pdf_page_count(pdf), 2);
        assert_eq!(pdf_page_count(b""), 0);
    }
}
