//! Strings crossing the boundary together, as one string of `len:text` fields: the length in
//! UTF-16 units (what JS measures), `:`, the text. Any text fits, line breaks included. JS
//! splits and joins them the same way (call.js, errors.js).

/// Reads the fields of a packed string in order.
#[derive(Debug)]
pub struct Reader<'a> {
    rest: &'a str,
}

impl<'a> Reader<'a> {
    pub fn new(packed: &'a str) -> Reader<'a> {
        Reader { rest: packed }
    }
}

impl<'a> Iterator for Reader<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        let (len, rest) = self.rest.split_once(':')?;
        let mut units: usize = len.parse().ok()?;
        // Counted over bytes, not chars (a GET's fields are read on every call): each
        // character's first byte is one UTF-16 unit, two when it starts four bytes. A lone
        // surrogate arrives as U+FFFD: also one unit, so the count stays exact.
        let mut end = rest.len();
        for (i, &b) in rest.as_bytes().iter().enumerate() {
            if b & 0xc0 == 0x80 {
                continue;
            }
            if units == 0 {
                end = i;
                break;
            }
            units = units.saturating_sub(if b >= 0xf0 { 2 } else { 1 });
        }
        let (field, rest) = rest.split_at(end);
        self.rest = rest;
        Some(field)
    }
}

/// Writes fields for JS to split.
#[derive(Debug, Default)]
pub struct Writer {
    out: String,
}

impl Writer {
    /// One field.
    pub fn field(&mut self, s: &str) -> &mut Writer {
        self.length(utf16_len(s));
        self.out.push(':');
        self.out.push_str(s);
        self
    }

    /// An optional field: `=` and the text when present, empty when absent.
    pub fn opt(&mut self, s: Option<&str>) -> &mut Writer {
        match s {
            None => self.field(""),
            Some(s) => {
                self.length(utf16_len(s) + 1);
                self.out.push_str(":=");
                self.out.push_str(s);
                self
            }
        }
    }

    /// A field's length in decimal, without `core::fmt`: every step writes a few, and the
    /// formatting machinery is a lot of code to bring into the cache for that.
    fn length(&mut self, mut n: usize) {
        let mut digits = [0u8; 20];
        let mut at = digits.len();
        loop {
            at -= 1;
            digits[at] = b'0' + (n % 10) as u8;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        for &d in &digits[at..] {
            self.out.push(char::from(d));
        }
    }

    pub fn finish(&mut self) -> String {
        std::mem::take(&mut self.out)
    }
}

/// `s`'s length in UTF-16 units, counted over its bytes as [`Reader`] counts them.
fn utf16_len(s: &str) -> usize {
    s.bytes()
        .map(|b| usize::from(b & 0xc0 != 0x80) + usize::from(b >= 0xf0))
        .sum()
}
