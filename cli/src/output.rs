//! Output: tables that fit the terminal, or JSON (one object, or JSON Lines for lists).

use comfy_table::{ContentArrangement, Table, presets::UTF8_FULL_CONDENSED};

/// Longest cell before it is cut with an ellipsis.
pub const MAX_CELL: usize = 48;

/// Cuts `text` to `max` characters with an ellipsis.
pub fn cut(text: &str, max: usize) -> String {
    let text = text.replace('\n', " ");
    if text.chars().count() <= max {
        text
    } else {
        let kept: String = text.chars().take(max.saturating_sub(1)).collect();
        format!("{kept}…")
    }
}

/// `text` in lines of at most `width` characters, broken between words (a word longer
/// than a line gets a line of its own); line breaks in `text` are kept.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    for paragraph in text.lines() {
        let mut line = String::new();
        for word in paragraph.split_whitespace() {
            let needed =
                line.chars().count() + usize::from(!line.is_empty()) + word.chars().count();
            if !line.is_empty() && needed > width {
                lines.push(std::mem::take(&mut line));
            }
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        }
        lines.push(line);
    }
    if lines.is_empty() {
        lines.push(String::new());
    }
    lines
}

/// Prints `label  value` lines with the values aligned.
pub fn labelled(lines: &[(String, String)]) {
    let width = lines
        .iter()
        .map(|(label, _)| label.chars().count())
        .max()
        .unwrap_or(0);
    for (label, value) in lines {
        let pad = width - label.chars().count();
        println!("{label}{}  {value}", " ".repeat(pad));
    }
}

/// Prints rows as a table fitted to the terminal; the columns in `whole` (such as ids,
/// which staff copy) are never broken inside a word.
pub fn table(header: &[String], rows: Vec<Vec<String>>, whole: &[usize]) {
    if rows.is_empty() {
        println!("{}", crate::t!("nothing-found"));
        return;
    }
    let mut table = Table::new();
    table
        .load_preset(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header(header.to_vec());
    for row in rows {
        table.add_row(row);
    }
    for &index in whole {
        if let Some(column) = table.column_mut(index) {
            column.set_constraint(comfy_table::ColumnConstraint::ContentWidth);
        }
    }
    println!("{table}");
}

/// Prints one JSON object.
pub fn json(value: &impl serde::Serialize) {
    println!("{}", serde_json::to_string(value).unwrap_or_default());
}

/// Prints a list as JSON Lines.
pub fn json_lines(items: &[impl serde::Serialize]) {
    for item in items {
        json(item);
    }
}
