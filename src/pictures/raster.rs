//! SVG → PNG with resvg. Fonts come only from the binary (no system fonts), so a picture looks
//! the same on every machine.

use std::sync::{Arc, OnceLock};

use resvg::{tiny_skia, usvg};

use super::svg::{FAMILY, FONT_BOLD, FONT_REGULAR};

/// Why a picture could not be drawn. Both are bugs in the drawing code, never user errors:
/// a handler logs them and answers with text only.
#[derive(Debug, thiserror::Error)]
pub enum PictureError {
    /// The SVG the bot built did not parse.
    #[error("the picture's SVG did not parse: {0}")]
    Svg(String),
    /// The picture has no area, or could not be encoded as PNG.
    #[error("the picture could not be encoded: {0}")]
    Encode(String),
}

fn fonts() -> Arc<usvg::fontdb::Database> {
    static DB: OnceLock<Arc<usvg::fontdb::Database>> = OnceLock::new();
    Arc::clone(DB.get_or_init(|| {
        let mut db = usvg::fontdb::Database::new();
        db.load_font_data(FONT_REGULAR.to_vec());
        db.load_font_data(FONT_BOLD.to_vec());
        db.set_sans_serif_family(FAMILY);
        Arc::new(db)
    }))
}

/// Renders SVG text to PNG bytes; returns them with the width and height.
pub fn png(svg: &str) -> Result<(Vec<u8>, u32, u32), PictureError> {
    let options = usvg::Options {
        fontdb: fonts(),
        font_family: FAMILY.to_string(),
        ..usvg::Options::default()
    };
    let tree = usvg::Tree::from_str(svg, &options).map_err(|e| PictureError::Svg(e.to_string()))?;
    let size = tree.size().to_int_size();
    let mut pixmap = tiny_skia::Pixmap::new(size.width(), size.height())
        .ok_or_else(|| PictureError::Encode("empty picture".into()))?;
    resvg::render(&tree, tiny_skia::Transform::default(), &mut pixmap.as_mut());
    let png = encode(&pixmap).map_err(|e| PictureError::Encode(e.to_string()))?;
    Ok((png, size.width(), size.height()))
}

/// PNG with the `png` crate's fast compression (about twice as fast as tiny-skia's default
/// level, for a slightly larger file), as RGB: every picture has an opaque background, so its
/// premultiplied RGBA is plain RGB.
fn encode(pixmap: &tiny_skia::Pixmap) -> Result<Vec<u8>, png::EncodingError> {
    let rgb: Vec<u8> = pixmap
        .data()
        .chunks_exact(4)
        .flat_map(|p| [p[0], p[1], p[2]])
        .collect();
    let mut out = Vec::with_capacity(rgb.len() / 8);
    let mut encoder = png::Encoder::new(&mut out, pixmap.width(), pixmap.height());
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_compression(png::Compression::Fast);
    let mut writer = encoder.write_header()?;
    writer.write_image_data(&rgb)?;
    writer.finish()?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn svg_with_text_renders_to_a_png_of_its_size() {
        let svg = r##"<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20"><rect width="40" height="20" fill="#0072B2"/><text x="2" y="15" font-size="14">Ab</text></svg>"##;
        let (bytes, w, h) = png(svg).expect("renders");
        assert_eq!((w, h), (40, 20));
        let pix = tiny_skia::Pixmap::decode_png(&bytes).expect("decodes");
        let p = pix.pixel(39, 0).expect("in range");
        assert_eq!((p.red(), p.green(), p.blue()), (0x00, 0x72, 0xB2));
        assert!(png("<svg").is_err());
    }
}
