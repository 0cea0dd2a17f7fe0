//! The sticker page's HTML and its style sheet: mobile-first on screen, and in print one
//! sticker per page — centred and large on A4 or US Letter, filling the card at business-card
//! size (3.5 × 2 in). `@page { margin: 0 }` leaves no room for the browser's header and
//! footer, so the print carries nothing but the sticker.

use chargeplan_core::{MemberId, PhoneNumber};
use maud::{DOCTYPE, Markup, PreEscaped, html};

/// Screen first, then print on large paper, then print on card-sized paper (the page is at
/// most 5 in wide). Black on white throughout, for any printer.
const CSS: &str = "\
*,*::before,*::after{box-sizing:border-box}\
html,body{margin:0;padding:0;background:#fff;color:#000}\
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,'DejaVu Sans',sans-serif;font-size:1.125rem;line-height:1.4}\
main{max-width:30rem;margin:0 auto;padding:1rem}\
a{color:#0b5cad}\
a:focus{outline:3px solid #000;outline-offset:3px}\
.sticker{display:flex;flex-direction:column;align-items:center;gap:.75rem;padding:1.25rem;border:3px solid #000;border-radius:.75rem;text-align:center;break-inside:avoid;page-break-inside:avoid}\
.qr{width:100%;max-width:16rem;line-height:0}\
.qr-code{display:block;width:100%;height:auto}\
.words{min-width:0}\
.label{margin:0;font-size:.85rem;font-weight:700;letter-spacing:.12em;text-transform:uppercase}\
.id{margin:0;font-family:ui-monospace,'DejaVu Sans Mono',Menlo,Consolas,monospace;font-weight:800;font-size:3.5rem;line-height:1.05;letter-spacing:.06em;white-space:nowrap}\
.how{margin:.5rem 0 0;font-size:1.15rem;font-weight:600}\
.number{white-space:nowrap}\
.link{margin:.4rem 0 0;font-size:.85rem;overflow-wrap:anywhere}\
.screen-only{margin:1.25rem 0 0;font-size:1rem}\
@page{margin:0}\
@media print{\
main{max-width:none;padding:0}\
.screen-only{display:none}\
.sheet{display:flex;align-items:center;justify-content:center;height:98vh;overflow:hidden}\
.sticker{width:15cm;padding:1cm;border-width:.8mm;border-radius:5mm;gap:5mm}\
.qr{max-width:none;width:9cm}\
.label{font-size:12pt}\
.id{font-size:2.4cm}\
.how{font-size:15pt}\
.link{font-size:10pt}\
}\
@media print and (max-width:5in){\
.sheet{height:98vh}\
.sticker{flex-direction:row;width:100%;height:100%;padding:.12in;border:0;border-radius:0;gap:.12in;text-align:left}\
.qr{flex:none;width:1.55in}\
.label{font-size:6pt}\
.id{font-size:.34in;letter-spacing:.03em}\
.how{margin-top:.05in;font-size:7pt;line-height:1.3}\
.link{margin-top:.04in;font-size:5.5pt}\
}";

/// What the sticker shows: nothing about the member but their ID.
#[derive(Debug, Clone)]
pub(crate) struct Sticker<'a> {
    /// The member ID, in large type.
    pub(crate) member_id: &'a MemberId,
    /// The service number to text, when one is configured.
    pub(crate) number: Option<&'a PhoneNumber>,
    /// The link the QR code encodes (`{public_url}/c/{ID}`).
    pub(crate) link: &'a str,
    /// The QR code as inline SVG (`None` only if the link were too long for one).
    pub(crate) qr_svg: Option<&'a str>,
}

/// The whole sticker page.
pub(crate) fn sticker_page(sticker: &Sticker<'_>) -> Markup {
    let id = sticker.member_id.as_str();
    document(
        &format!("Sticker {id}"),
        html! {
            div.sheet {
                section.sticker aria-labelledby="member-id-label" {
                    @if let Some(svg) = sticker.qr_svg {
                        div.qr role="img" aria-label="QR code: scan it to reach the owner of this car"
                            data-link=(sticker.link) {
                            (PreEscaped(svg))
                        }
                    }
                    div.words {
                        p.label #member-id-label { "Member ID" }
                        p.id #member-id { (id) }
                        @match sticker.number {
                            Some(number) => {
                                p.how #how {
                                    "Text " (id) " to " span.number { (display_number(number)) }
                                    " to reach the owner — your number stays private"
                                }
                            }
                            None => {
                                p.how #how { "Scan the code to reach the owner — your number stays private" }
                            }
                        }
                        p.link { (without_scheme(sticker.link)) }
                    }
                }
            }
            p.screen-only {
                "Print this page and put the sticker behind your windscreen where it can be read "
                "from outside. It prints on one page of A4 or US Letter, or on a 3.5 × 2 in card "
                "(choose that paper size and no margins)."
            }
        },
    )
}

/// The page for an unknown or malformed member ID: the same either way.
pub(crate) fn not_found_page() -> Markup {
    document(
        "Sticker not found",
        html! {
            h1 { "Sticker not found" }
            p { "There is no member with this ID. Check the ID and try again." }
        },
    )
}

fn document(title: &str, content: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="robots" content="noindex, nofollow";
                meta name="referrer" content="no-referrer";
                title { (title) }
                style { (PreEscaped(CSS)) }
            }
            body { main { (content) } }
        }
    }
}

/// A service number as people read it: `+1 555 010 0000` for North American numbers, the
/// E.164 form for others (whose grouping differs by country).
pub(crate) fn display_number(number: &PhoneNumber) -> String {
    let e164 = number.as_e164();
    match e164.strip_prefix("+1") {
        Some(rest) if rest.len() == 10 => {
            format!("+1 {} {} {}", &rest[..3], &rest[3..6], &rest[6..])
        }
        _ => e164.to_owned(),
    }
}

/// `charging.example.com/c/K7QX2M`: the link as printed under the code.
fn without_scheme(link: &str) -> &str {
    link.strip_prefix("https://")
        .or_else(|| link.strip_prefix("http://"))
        .unwrap_or(link)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn north_american_numbers_are_grouped_and_others_left_in_e164() {
        let nanp = PhoneNumber::parse("+15550100000").unwrap();
        assert_eq!(display_number(&nanp), "+1 555 010 0000");
        let german = PhoneNumber::parse("+4930123456").unwrap();
        assert_eq!(display_number(&german), "+4930123456");
    }

    #[test]
    fn without_a_number_the_sticker_asks_to_scan_the_code() {
        let id = MemberId::parse("K7QX2M").unwrap();
        let html = sticker_page(&Sticker {
            member_id: &id,
            number: None,
            link: "https://charging.example.com/c/K7QX2M",
            qr_svg: Some("<svg></svg>"),
        })
        .into_string();
        assert!(html.contains("Scan the code to reach the owner"), "{html}");
        assert!(!html.contains("Text K7QX2M to"), "{html}");
        assert!(html.contains("charging.example.com/c/K7QX2M"), "{html}");
    }
}
