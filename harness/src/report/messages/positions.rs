//! Where things are written in a feature file's text, for the AST's locations: lines and their
//! indents, the tags above a line, table rows and their cells, doc string delimiters and comments.

use serde_json::{Value, json};

/// The text's lines, numbered from 1.
pub(super) struct Lines<'a>(Vec<&'a str>);

impl<'a> Lines<'a> {
    pub(super) fn new(text: &'a str) -> Self {
        Self(
            text.split('\n')
                .map(|l| l.strip_suffix('\r').unwrap_or(l))
                .collect(),
        )
    }

    /// Line `n` (from 1); empty past the end.
    fn get(&self, n: usize) -> &'a str {
        n.checked_sub(1)
            .and_then(|i| self.0.get(i))
            .copied()
            .unwrap_or_default()
    }

    /// The column (from 1, in characters) of the first non-blank character of line `n`.
    pub(super) fn indent(&self, n: usize) -> usize {
        self.get(n)
            .chars()
            .take_while(|c| c.is_whitespace())
            .count()
            + 1
    }

    /// The location of what starts line `n` (a keyword).
    pub(super) fn location(&self, n: usize) -> Value {
        json!({ "line": n, "column": self.indent(n) })
    }

    fn is_blank_or_comment(&self, n: usize) -> bool {
        let line = self.get(n).trim_start();
        line.is_empty() || line.starts_with('#')
    }
}

/// Words of a line with the column (from 1, in characters) each starts at.
fn words(line: &str) -> Vec<(usize, &str)> {
    let mut words = Vec::new();
    let mut start: Option<(usize, usize)> = None;
    for (column, (byte, c)) in line.char_indices().enumerate() {
        match (c.is_whitespace(), start) {
            (true, Some((at, from))) => {
                words.push((at, &line[from..byte]));
                start = None;
            }
            (false, None) => start = Some((column + 1, byte)),
            _ => {}
        }
    }
    if let Some((at, from)) = start {
        words.push((at, &line[from..]));
    }
    words
}

/// Where the tags above line `line` are written, (line, column) for each of `names`, in order;
/// `None` when the lines above do not end with exactly these tags.
pub(super) fn tag_places(
    lines: &Lines<'_>,
    line: usize,
    names: &[String],
) -> Option<Vec<(usize, usize)>> {
    if names.is_empty() {
        return Some(Vec::new());
    }
    let mut found: Vec<(usize, usize, &str)> = Vec::new();
    let mut n = line;
    while n > 1 && found.len() < names.len() {
        n -= 1;
        if lines.is_blank_or_comment(n) {
            continue;
        }
        if !lines.get(n).trim_start().starts_with('@') {
            break;
        }
        let on_line: Vec<(usize, usize, &str)> = words(lines.get(n))
            .into_iter()
            .take_while(|(_, w)| !w.starts_with('#'))
            .filter_map(|(column, w)| Some((n, column, w.strip_prefix('@')?)))
            .collect();
        found.splice(0..0, on_line);
    }
    let tail = &found[found.len().checked_sub(names.len())?..];
    tail.iter()
        .zip(names)
        .all(|((_, _, found), name)| found == name)
        .then(|| tail.iter().map(|&(l, c, _)| (l, c)).collect())
}

/// Where a table row is: its line, the column of its first `|` and of each cell's value.
pub(super) struct RowPlace {
    pub(super) line: usize,
    pub(super) column: usize,
    pub(super) cells: Vec<usize>,
}

/// The places of `count` table rows written from line `from` on (blank and comment lines
/// skipped); rows not found there are placed on the following lines.
pub(super) fn row_places(lines: &Lines<'_>, from: usize, count: usize) -> Vec<RowPlace> {
    let mut places = Vec::new();
    let mut n = from;
    while places.len() < count && n <= lines.0.len() {
        let text = lines.get(n);
        if text.trim_start().starts_with('|') {
            places.push(RowPlace {
                line: n,
                column: lines.indent(n),
                cells: cell_columns(text),
            });
        } else if !lines.is_blank_or_comment(n) {
            break;
        }
        n += 1;
    }
    while places.len() < count {
        let line = places.last().map_or(from, |p| p.line + 1);
        places.push(RowPlace {
            line,
            column: 1,
            cells: Vec::new(),
        });
    }
    places
}

/// The column (from 1, in characters) of each cell's value in a table row: its first non-blank
/// character, or the character after its `|` when it is empty.
fn cell_columns(row: &str) -> Vec<usize> {
    let chars: Vec<char> = row.chars().collect();
    let Some(mut i) = chars.iter().position(|&c| c == '|') else {
        return Vec::new();
    };
    let mut columns = Vec::new();
    i += 1;
    loop {
        let start = i;
        let mut first = None;
        while i < chars.len() && chars[i] != '|' {
            if first.is_none() && !chars[i].is_whitespace() {
                first = Some(i);
            }
            i += if chars[i] == '\\' { 2 } else { 1 };
        }
        if i >= chars.len() {
            return columns;
        }
        columns.push(first.unwrap_or(start) + 1);
        i += 1;
    }
}

/// A step's doc string: the location of its opening delimiter, the delimiter and its media type.
pub(super) fn doc_string_place(
    lines: &Lines<'_>,
    step_line: usize,
) -> (Value, &'static str, Option<String>) {
    let mut n = step_line + 1;
    while n <= lines.0.len() && lines.get(n).trim().is_empty() {
        n += 1;
    }
    let text = lines.get(n).trim_start();
    for delimiter in ["\"\"\"", "```"] {
        if let Some(rest) = text.strip_prefix(delimiter) {
            let media_type = Some(rest.trim().to_owned()).filter(|m| !m.is_empty());
            return (lines.location(n), delimiter, media_type);
        }
    }
    (
        json!({ "line": step_line + 1, "column": 1 }),
        "\"\"\"",
        None,
    )
}

/// The comments of a feature file (lines starting with `#`, outside doc strings).
pub(super) fn comments(lines: &Lines<'_>) -> Vec<Value> {
    let mut comments = Vec::new();
    let mut in_doc_string: Option<&str> = None;
    for (i, text) in lines.0.iter().enumerate() {
        let trimmed = text.trim_start();
        if let Some(delimiter) = in_doc_string {
            if trimmed.starts_with(delimiter) {
                in_doc_string = None;
            }
            continue;
        }
        if let Some(delimiter) = ["\"\"\"", "```"]
            .into_iter()
            .find(|d| trimmed.starts_with(d))
        {
            in_doc_string = Some(delimiter);
        } else if trimmed.starts_with('#') {
            comments.push(json!({
                "location": { "line": i + 1, "column": 1 },
                "text": text,
            }));
        }
    }
    comments
}
