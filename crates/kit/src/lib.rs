//! The emergency kit: one A4 page, as a PNG and as a PDF that holds the same picture, with what
//! Keepsake is, the recovery key in large type and as a QR code, what is protected, where the
//! backups are (never a secret), and the three steps to restore on a new computer.
//!
//! The page is drawn here (text with the system's sans-serif font: outlines read by `ttf-parser`,
//! filled by `ab_glyph_rasterizer`; the code with `qrcode`), so the CLI and the desktop app make the same kit with nothing else installed;
//! the PDF (`pdf-writer`) holds the page as one image at 150 dots per inch, so it prints exactly
//! as it shows.

use std::path::{Path, PathBuf};

use ab_glyph_rasterizer::{Rasterizer, point};

/// Dots per inch of the page.
pub const DPI: f32 = 150.0;
/// A4 in pixels at [`DPI`].
pub const WIDTH: usize = 1240;
/// A4 in pixels at [`DPI`].
pub const HEIGHT: usize = 1754;
const MARGIN: f32 = 110.0;

/// What goes on the page.
#[derive(Debug, Clone, Default)]
pub struct Kit {
    /// The recovery key as Keepsake shows it (`XXXX-XXXX-...`).
    pub key: String,
    /// When the kit was made, in words ("8 December 2026").
    pub made_on: String,
    /// This computer's name, if known.
    pub computer: Option<String>,
    /// What is protected: one line each ("Firefox: bookmarks and history", "notes.db in ~/Notes").
    pub protects: Vec<String>,
    /// Where the backups are: the folder, then each destination, one line each (never a secret).
    pub places: Vec<String>,
}

/// Why a kit could not be drawn.
#[derive(Debug, thiserror::Error)]
pub enum KitError {
    /// No usable font on this computer (the package depends on one).
    #[error("no font to draw the kit with was found (install fonts-dejavu-core)")]
    NoFont,
    /// The QR code could not be made.
    #[error("the QR code could not be made: {0}")]
    Qr(String),
    /// Writing a file failed.
    #[error("could not write {path}: {source}")]
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// Encoding the picture failed.
    #[error("could not encode the kit: {0}")]
    Encode(String),
}

/// A font file, checked to parse.
struct FontVec(Vec<u8>);

impl FontVec {
    fn try_from_vec(data: Vec<u8>) -> Option<FontVec> {
        ttf_parser::Face::parse(&data, 0).ok()?;
        Some(FontVec(data))
    }

    fn face(&self) -> Option<ttf_parser::Face<'_>> {
        ttf_parser::Face::parse(&self.0, 0).ok()
    }
}

/// Pixels per font unit for text `size` pixels high (from the font's ascender to its descender).
fn scale_of(face: &ttf_parser::Face<'_>, size: f32) -> f32 {
    let height = i32::from(face.ascender()) - i32::from(face.descender());
    size / (if height > 0 { height as f32 } else { f32::from(face.units_per_em().max(1)) })
}

/// A glyph's outline, placed on the page and moved into its own small raster.
struct Outline {
    raster: Rasterizer,
    scale: f32,
    x: f32,
    y: f32,
    last: ab_glyph_rasterizer::Point,
    start: ab_glyph_rasterizer::Point,
}

impl Outline {
    fn at(&self, fx: f32, fy: f32) -> ab_glyph_rasterizer::Point {
        point(self.x + fx * self.scale, self.y - fy * self.scale)
    }
}

impl ttf_parser::OutlineBuilder for Outline {
    fn move_to(&mut self, x: f32, y: f32) {
        self.last = self.at(x, y);
        self.start = self.last;
    }
    fn line_to(&mut self, x: f32, y: f32) {
        let p = self.at(x, y);
        self.raster.draw_line(self.last, p);
        self.last = p;
    }
    fn quad_to(&mut self, x1: f32, y1: f32, x: f32, y: f32) {
        let (c, p) = (self.at(x1, y1), self.at(x, y));
        self.raster.draw_quad(self.last, c, p);
        self.last = p;
    }
    fn curve_to(&mut self, x1: f32, y1: f32, x2: f32, y2: f32, x: f32, y: f32) {
        let (c1, c2, p) = (self.at(x1, y1), self.at(x2, y2), self.at(x, y));
        self.raster.draw_cubic(self.last, c1, c2, p);
        self.last = p;
    }
    fn close(&mut self) {
        if self.last != self.start {
            self.raster.draw_line(self.last, self.start);
        }
        self.last = self.start;
    }
}

struct Fonts {
    regular: FontVec,
    bold: FontVec,
    mono: FontVec,
}

/// The first of `names` found in the usual font folders, or what fontconfig says for `pattern`.
fn find_font(names: &[&str], pattern: &str) -> Option<FontVec> {
    let dirs = [
        "/usr/share/fonts/truetype/dejavu",
        "/usr/share/fonts/dejavu",
        "/usr/share/fonts/TTF",
        "/usr/share/fonts/truetype/liberation",
        "/usr/share/fonts/liberation",
        "/usr/local/share/fonts",
    ];
    let mut paths: Vec<PathBuf> =
        dirs.iter().flat_map(|d| names.iter().map(move |n| Path::new(d).join(n))).collect();
    if let Ok(out) = std::process::Command::new("fc-match").args(["-f", "%{file}", pattern]).output()
        && out.status.success()
    {
        paths.push(PathBuf::from(String::from_utf8_lossy(&out.stdout).into_owned()));
    }
    paths
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "ttf" || e == "otf"))
        .find_map(|p| std::fs::read(p).ok().and_then(FontVec::try_from_vec))
}

fn fonts() -> Result<Fonts, KitError> {
    let regular =
        find_font(&["DejaVuSans.ttf", "LiberationSans-Regular.ttf"], "sans-serif").ok_or(KitError::NoFont)?;
    let bold = find_font(&["DejaVuSans-Bold.ttf", "LiberationSans-Bold.ttf"], "sans-serif:bold")
        .ok_or(KitError::NoFont)?;
    let mono = find_font(&["DejaVuSansMono-Bold.ttf", "LiberationMono-Bold.ttf"], "monospace:bold")
        .ok_or(KitError::NoFont)?;
    Ok(Fonts { regular, bold, mono })
}

/// A grey page: 255 is white.
struct Canvas {
    px: Vec<u8>,
}

impl Canvas {
    fn new() -> Canvas {
        Canvas { px: vec![255; WIDTH * HEIGHT] }
    }

    fn ink(&mut self, x: i64, y: i64, coverage: f32, shade: u8) {
        if x < 0 || y < 0 || x >= WIDTH as i64 || y >= HEIGHT as i64 {
            return;
        }
        let i = y as usize * WIDTH + x as usize;
        let c = coverage.clamp(0.0, 1.0);
        let old = f32::from(self.px[i]);
        self.px[i] = (old * (1.0 - c) + f32::from(shade) * c).round() as u8;
    }

    fn rect(&mut self, x: f32, y: f32, w: f32, h: f32, shade: u8) {
        for yy in y.round() as i64..(y + h).round() as i64 {
            for xx in x.round() as i64..(x + w).round() as i64 {
                self.ink(xx, yy, 1.0, shade);
            }
        }
    }

    /// Draws `text` with its baseline at `y`; returns the x after it.
    fn text(&mut self, font: &FontVec, size: f32, x: f32, y: f32, text: &str, shade: u8) -> f32 {
        let Some(face) = font.face() else { return x };
        let scale = scale_of(&face, size);
        let mut caret = x;
        for c in text.chars() {
            let Some(id) = face.glyph_index(c).or_else(|| face.glyph_index('?')) else { continue };
            if let Some(b) = face.glyph_bounding_box(id) {
                let x0 = (caret + f32::from(b.x_min) * scale).floor();
                let y0 = (y - f32::from(b.y_max) * scale).floor();
                let w = ((caret + f32::from(b.x_max) * scale).ceil() - x0).max(1.0) as usize + 1;
                let h = ((y - f32::from(b.y_min) * scale).ceil() - y0).max(1.0) as usize + 1;
                let origin = point(0.0, 0.0);
                let mut outline = Outline {
                    raster: Rasterizer::new(w, h),
                    scale,
                    x: caret - x0,
                    y: y - y0,
                    last: origin,
                    start: origin,
                };
                if face.outline_glyph(id, &mut outline).is_some() {
                    outline.raster.for_each_pixel_2d(|gx, gy, cov| {
                        self.ink(x0 as i64 + i64::from(gx), y0 as i64 + i64::from(gy), cov, shade);
                    });
                }
            }
            caret += f32::from(face.glyph_hor_advance(id).unwrap_or(0)) * scale;
        }
        caret
    }
}

fn width_of(font: &FontVec, size: f32, text: &str) -> f32 {
    let Some(face) = font.face() else { return 0.0 };
    let scale = scale_of(&face, size);
    text.chars()
        .filter_map(|c| face.glyph_index(c).or_else(|| face.glyph_index('?')))
        .map(|id| f32::from(face.glyph_hor_advance(id).unwrap_or(0)) * scale)
        .sum()
}

/// `text` cut into lines no wider than `width` (at spaces; a word longer than a line is cut).
fn wrap(font: &FontVec, size: f32, text: &str, width: f32) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split(' ') {
        let candidate = if line.is_empty() { word.to_owned() } else { format!("{line} {word}") };
        if width_of(font, size, &candidate) <= width || line.is_empty() && width_of(font, size, word) <= width
        {
            line = candidate;
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        // A word too long for a line (a path) is cut where it must be.
        let mut piece = String::new();
        for c in word.chars() {
            piece.push(c);
            if width_of(font, size, &piece) > width {
                piece.pop();
                lines.push(std::mem::take(&mut piece));
                piece.push(c);
            }
        }
        line = piece;
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

struct Writer<'a> {
    canvas: Canvas,
    fonts: &'a Fonts,
    y: f32,
}

impl Writer<'_> {
    const BODY: f32 = 25.0;

    fn heading(&mut self, text: &str) {
        self.y += 26.0;
        let size = 31.0;
        self.y += size;
        self.canvas.text(&self.fonts.bold, size, MARGIN, self.y, text, 20);
        self.y += 12.0;
    }

    fn paragraph(&mut self, text: &str, shade: u8) {
        self.paragraph_at(text, MARGIN, WIDTH as f32 - 2.0 * MARGIN, shade);
    }

    fn paragraph_at(&mut self, text: &str, x: f32, width: f32, shade: u8) {
        for line in wrap(&self.fonts.regular, Self::BODY, text, width) {
            self.y += Self::BODY * 1.45;
            self.canvas.text(&self.fonts.regular, Self::BODY, x, self.y, &line, shade);
        }
    }

    fn bullet(&mut self, text: &str) {
        self.marked("•", text);
    }

    fn marked(&mut self, mark: &str, text: &str) {
        let y = self.y;
        self.canvas.text(&self.fonts.regular, Self::BODY, MARGIN + 6.0, y + Self::BODY * 1.45, mark, 40);
        self.paragraph_at(text, MARGIN + 34.0, WIDTH as f32 - 2.0 * MARGIN - 34.0, 30);
    }
}

/// The QR code of `key`: modules, `width` per side (dark = true).
fn qr(key: &str) -> Result<(Vec<bool>, usize), KitError> {
    let code = qrcode::QrCode::with_error_correction_level(key.as_bytes(), qrcode::EcLevel::M)
        .map_err(|e| KitError::Qr(e.to_string()))?;
    let w = code.width();
    Ok((code.to_colors().into_iter().map(|c| c == qrcode::Color::Dark).collect(), w))
}

/// Most lines of each list drawn; the rest is said as "and N more".
const MAX_LINES: usize = 8;

fn listed(items: &[String]) -> Vec<String> {
    let mut out: Vec<String> = items.iter().take(MAX_LINES).cloned().collect();
    if items.len() > MAX_LINES {
        out.push(format!("and {} more", items.len() - MAX_LINES));
    }
    out
}

/// The page, drawn: grey pixels, [`WIDTH`] by [`HEIGHT`].
pub fn draw(kit: &Kit) -> Result<Vec<u8>, KitError> {
    let fonts = fonts()?;
    let mut w = Writer { canvas: Canvas::new(), fonts: &fonts, y: MARGIN - 10.0 };
    // Title.
    w.y += 46.0;
    w.canvas.text(&fonts.bold, 46.0, MARGIN, w.y, "Keepsake emergency kit", 0);
    let made = match &kit.computer {
        Some(c) => format!("Made on {} on the computer “{c}”.", kit.made_on),
        None => format!("Made on {}.", kit.made_on),
    };
    w.paragraph(&made, 70);
    w.paragraph(
        "Keepsake makes copies (backups) of the files where your apps keep what matters to you. \
         The copies are locked with your password. This page opens them if you forget the \
         password or lose this computer. Print it or keep it somewhere safe, away from this computer.",
        30,
    );

    // The key, large, with its code beside it.
    w.heading("Your recovery key");
    let (modules, n) = qr(&kit.key)?;
    let module = 8.0_f32;
    let side = (n as f32 + 8.0) * module;
    let qr_x = WIDTH as f32 - MARGIN - side;
    let top = w.y + 6.0;
    w.canvas.rect(MARGIN - 14.0, top, qr_x - MARGIN, side, 238);
    let groups: Vec<&str> = kit.key.split('-').collect();
    let half = groups.len().div_ceil(2);
    let key_size = 50.0;
    for (i, line) in [groups[..half].join("-"), groups[half..].join("-")].iter().enumerate() {
        let baseline = top + side / 2.0 - 14.0 + i as f32 * 74.0;
        w.canvas.text(&fonts.mono, key_size, MARGIN + 6.0, baseline, line, 0);
    }
    for (i, dark) in modules.iter().enumerate() {
        if *dark {
            let (cx, cy) = ((i % n) as f32 + 4.0, (i / n) as f32 + 4.0);
            w.canvas.rect(qr_x + cx * module, top + cy * module, module, module, 0);
        }
    }
    w.y = top + side + 4.0;
    w.paragraph(
        "Anyone with this key can open your backups: keep it as safe as a house key. Keepsake never \
         keeps a copy of it. If you make a new kit, this key still opens the backups made until then, \
         and none made after.",
        60,
    );

    w.heading("What Keepsake protects");
    let protects =
        if kit.protects.is_empty() { vec!["Nothing yet.".to_owned()] } else { listed(&kit.protects) };
    for p in &protects {
        w.bullet(p);
    }
    w.heading("Where the backups are");
    for p in &listed(&kit.places) {
        w.bullet(p);
    }
    w.heading("To get everything back on a new computer");
    for (i, step) in [
        "Install Keepsake and open it. Choose “New computer? Restore from a copy elsewhere”.",
        "Pick where the backups are: the folder or the place listed above (plug in the disk, or sign in to the service).",
        "When Keepsake asks for the password, choose “Forgot your password?” and type the recovery key above, or scan its code.",
    ]
    .iter()
    .enumerate()
    {
        w.marked(&format!("{}.", i + 1), step);
    }
    Ok(w.canvas.px)
}

/// The page as a PNG (8-bit grey, 150 dots per inch).
pub fn png(pixels: &[u8]) -> Result<Vec<u8>, KitError> {
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, WIDTH as u32, HEIGHT as u32);
        enc.set_color(png::ColorType::Grayscale);
        enc.set_depth(png::BitDepth::Eight);
        // 150 dots per inch, in dots per metre.
        let ppm = (DPI / 0.0254).round() as u32;
        enc.set_pixel_dims(Some(png::PixelDimensions { xppu: ppm, yppu: ppm, unit: png::Unit::Meter }));
        let mut w = enc.write_header().map_err(|e| KitError::Encode(e.to_string()))?;
        w.write_image_data(pixels).map_err(|e| KitError::Encode(e.to_string()))?;
    }
    Ok(out)
}

/// The page as a one-page A4 PDF holding the picture.
pub fn pdf(pixels: &[u8]) -> Result<Vec<u8>, KitError> {
    use pdf_writer::{Content, Filter, Finish, Name, Pdf, Rect, Ref};
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    std::io::Write::write_all(&mut z, pixels).map_err(|e| KitError::Encode(e.to_string()))?;
    let data = z.finish().map_err(|e| KitError::Encode(e.to_string()))?;
    let (catalog, tree, page, image, content) =
        (Ref::new(1), Ref::new(2), Ref::new(3), Ref::new(4), Ref::new(5));
    let info = Ref::new(6);
    let (w, h) = (595.276_f32, 841.89_f32);
    let mut pdf = Pdf::new();
    pdf.catalog(catalog).pages(tree);
    pdf.pages(tree).kids([page]).count(1);
    let mut p = pdf.page(page);
    p.media_box(Rect::new(0.0, 0.0, w, h));
    p.parent(tree);
    p.contents(content);
    p.resources().x_objects().pair(Name(b"Kit"), image);
    p.finish();
    let mut img = pdf.image_xobject(image, &data);
    img.filter(Filter::FlateDecode);
    img.width(WIDTH as i32);
    img.height(HEIGHT as i32);
    img.color_space().device_gray();
    img.bits_per_component(8);
    img.finish();
    let mut c = Content::new();
    c.save_state();
    c.transform([w, 0.0, 0.0, h, 0.0, 0.0]);
    c.x_object(Name(b"Kit"));
    c.restore_state();
    pdf.stream(content, &c.finish());
    pdf.document_info(info).title(pdf_writer::TextStr("Keepsake emergency kit"));
    Ok(pdf.finish())
}

/// Draws the kit and writes `<dir>/<stem>.pdf` and `<dir>/<stem>.png`, readable by the owner only
/// (the key opens every backup). Returns the two paths.
pub fn write(kit: &Kit, dir: &Path, stem: &str) -> Result<(PathBuf, PathBuf), KitError> {
    let pixels = draw(kit)?;
    let pdf_path = dir.join(format!("{stem}.pdf"));
    let png_path = dir.join(format!("{stem}.png"));
    write_private(&pdf_path, &pdf(&pixels)?)?;
    write_private(&png_path, &png(&pixels)?)?;
    Ok((pdf_path, png_path))
}

fn write_private(path: &Path, bytes: &[u8]) -> Result<(), KitError> {
    use std::io::Write;
    let err = |source| KitError::Write { path: path.to_path_buf(), source };
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    let mut f = opts.open(path).map_err(err)?;
    #[cfg(unix)]
    std::os::unix::fs::PermissionsExt::set_mode(&mut f.metadata().map_err(err)?.permissions(), 0o600);
    f.write_all(bytes).and_then(|()| f.sync_all()).map_err(err)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_kit_is_drawn_and_written_privately() {
        let kit = Kit {
            key: "7KQ2-M9XA-44RT-ZZ01-ABCD-EFGH-JKMN-PQRS".into(),
            made_on: "8 December 2026".into(),
            computer: Some("laptop".into()),
            protects: vec!["Firefox: bookmarks and history".into(); 10],
            places: vec!["The folder /home/ann/Backups/keepsake".into(), "Amazon S3: bucket photos".into()],
        };
        let dir = tempfile::tempdir().unwrap();
        let (pdf, png) = write(&kit, dir.path(), "kit").unwrap();
        assert!(std::fs::read(&pdf).unwrap().starts_with(b"%PDF-"));
        assert!(std::fs::read(&png).unwrap().starts_with(b"\x89PNG"));
        if let Some(out) = std::env::var_os("KEEPSAKE_KIT_SAMPLE") {
            std::fs::copy(&png, out).unwrap();
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&pdf).unwrap().permissions().mode() & 0o777, 0o600);
        }
    }

    #[test]
    fn long_words_are_cut_to_fit() {
        let f = fonts().unwrap();
        let lines = wrap(&f.regular, 25.0, &format!("a {}", "x".repeat(400)), 500.0);
        assert!(lines.len() > 2);
        assert!(lines.iter().all(|l| width_of(&f.regular, 25.0, l) <= 500.0));
    }
}
