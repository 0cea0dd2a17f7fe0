//! The sticker's QR code: an inline SVG (one path, one unit per module, scaled by CSS) that
//! encodes the link to the member's contact page.

use qrcode::render::svg;
use qrcode::{EcLevel, QrCode};

/// The SVG of a QR code for `link`, or `None` if it is too long for one (a URL of a few dozen
/// characters never is). Level M survives a scuffed or dirty sticker (15 % damage).
pub(crate) fn qr_svg(link: &str) -> Option<String> {
    let code = QrCode::with_error_correction_level(link.as_bytes(), EcLevel::M).ok()?;
    let image = code
        .render::<svg::Color<'_>>()
        .module_dimensions(1, 1)
        .quiet_zone(true)
        .dark_color(svg::Color("#000"))
        .light_color(svg::Color("#fff"))
        .build();
    // Inline in HTML: the XML declaration is not wanted; the size comes from the style sheet.
    let start = image.find("<svg")?;
    Some(image[start..].replacen("<svg ", r#"<svg class="qr-code" aria-hidden="true" "#, 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_link_becomes_an_inline_svg_without_an_xml_declaration() {
        let svg = qr_svg("https://charging.example.com/c/K7QX2M").expect("fits");
        assert!(
            svg.starts_with(r#"<svg class="qr-code" aria-hidden="true" "#),
            "{svg}"
        );
        assert!(svg.contains("viewBox=\"0 0 "), "{svg}");
        assert!(svg.ends_with("</svg>"), "{svg}");
        assert!(!svg.contains("<?xml"));
    }

    #[test]
    fn different_links_give_different_codes() {
        let a = qr_svg("https://charging.example.com/c/K7QX2M").expect("fits");
        let b = qr_svg("https://charging.example.com/c/K7QX2N").expect("fits");
        assert_ne!(a, b);
    }
}
