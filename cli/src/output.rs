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

/// The width of the terminal `stream` writes to; `None` when it is no terminal (a pipe, a
/// file), where nothing is wrapped.
fn terminal_width(stream: impl std::os::fd::AsFd) -> Option<usize> {
    terminal_size::terminal_size_of(stream).map(|(terminal_size::Width(w), _)| usize::from(w))
}

/// Prints a message on standard error; on a terminal, each line is wrapped between words
/// at its width, the continuation indented, so no word is cut at the edge.
pub fn say(text: &str) {
    eprint!("{}", wrapped(text, terminal_width(std::io::stderr())));
}

/// Prints a message on standard output, wrapped like [`say`].
pub fn tell(text: &str) {
    print!("{}", wrapped(text, terminal_width(std::io::stdout())));
}

fn wrapped(text: &str, width: Option<usize>) -> String {
    let Some(width) = width.filter(|w| *w > 20) else {
        return format!("{text}\n");
    };
    let mut out = String::new();
    for line in text.lines() {
        let indent = line.len() - line.trim_start().len();
        for (i, part) in wrap(line.trim_start(), width - indent - 2)
            .into_iter()
            .enumerate()
        {
            let pad = if i == 0 { indent } else { indent + 2 };
            out.push_str(&format!("{}{part}\n", " ".repeat(pad)));
        }
    }
    out
}

/// Prints `label  value` lines with the values aligned; on a terminal, a long value wraps
/// between words under itself. A value without spaces (an ID, an address) stays whole.
pub fn labelled(lines: &[(String, String)]) {
    print!(
        "{}",
        labelled_text(lines, terminal_width(std::io::stdout()))
    );
}

/// The text of [`labelled`] for a line `terminal` characters wide.
pub fn labelled_text(lines: &[(String, String)], terminal: Option<usize>) -> String {
    let width = lines
        .iter()
        .map(|(label, _)| label.chars().count())
        .max()
        .unwrap_or(0);
    let room = terminal.map_or(usize::MAX, |t| t.saturating_sub(width + 2).max(20));
    let mut out = String::new();
    for (label, value) in lines {
        for (i, part) in wrap(value, room).into_iter().enumerate() {
            let shown = if i == 0 { label.as_str() } else { "" };
            let pad = width - shown.chars().count();
            out.push_str(&format!("{shown}{}  {part}\n", " ".repeat(pad)));
        }
    }
    out
}

/// Longest word a table cell may have to itself before the table gives up on columns.
const MAX_WORD: usize = 24;
/// Narrowest the first column may be (unless all its cells are shorter).
const MIN_FIRST: usize = 24;
/// What each column of a table costs besides its text: a border and two spaces.
const COLUMN_FRAME: usize = 3;

/// Prints rows as a table fitted to the terminal; the columns in `whole` (such as ids,
/// which staff copy) are never broken. Other columns wrap between words, never inside
/// one; when the terminal is too narrow for that, each row becomes a small block (its
/// first column as a heading, the others as `header: value` below it).
pub fn table(header: &[String], rows: Vec<Vec<String>>, whole: &[usize]) {
    if rows.is_empty() {
        println!("{}", crate::t!("nothing-found"));
        return;
    }
    print!(
        "{}",
        render(header, rows, whole, terminal_width(std::io::stdout()))
    );
}

/// The text of [`table`] for a terminal `width` characters wide (`None`: not a terminal,
/// so nothing is wrapped).
fn render(
    header: &[String],
    rows: Vec<Vec<String>>,
    whole: &[usize],
    width: Option<usize>,
) -> String {
    // The narrowest each column can be: its longest word, or all of a whole column.
    let narrowest: Vec<usize> = (0..header.len())
        .map(|i| {
            let cells = rows.iter().map(|r| r.get(i).map_or("", String::as_str));
            let cells = cells.chain(std::iter::once(header[i].as_str()));
            if whole.contains(&i) {
                cells.map(|c| c.chars().count()).max().unwrap_or(0)
            } else {
                cells
                    .flat_map(str::split_whitespace)
                    .map(|w| w.chars().count().min(MAX_WORD))
                    .max()
                    .unwrap_or(0)
            }
        })
        .collect();
    // The first column (the title or name) is what people read: a few words a line at
    // least, or the rows read better as blocks.
    let mut narrowest = narrowest;
    if let Some(first) = narrowest.first_mut() {
        let longest = rows
            .iter()
            .map(|r| r.first().map_or(0, |c| c.chars().count()))
            .max()
            .unwrap_or(0);
        *first = (*first).max(longest.min(MIN_FIRST));
    }
    let needed: usize = narrowest.iter().map(|w| w + COLUMN_FRAME).sum::<usize>() + 1;
    if let Some(width) = width
        && needed > width
    {
        return blocks(header, &rows, whole, width);
    }
    let mut table = Table::new();
    table
        .load_preset(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header(header.to_vec());
    if let Some(width) = width {
        table.set_width(u16::try_from(width).unwrap_or(u16::MAX));
    }
    for row in rows {
        table.add_row(row);
    }
    for (i, least) in narrowest.iter().enumerate() {
        if let Some(column) = table.column_mut(i) {
            let constraint = if whole.contains(&i) {
                comfy_table::ColumnConstraint::ContentWidth
            } else {
                // The boundary counts the column's padding too.
                comfy_table::ColumnConstraint::LowerBoundary(comfy_table::Width::Fixed(
                    u16::try_from(least + 2).unwrap_or(u16::MAX),
                ))
            };
            column.set_constraint(constraint);
        }
    }
    format!("{table}\n")
}

/// Rows as blocks for a narrow terminal: the first column as a heading, the other columns
/// as `header: value`, the `whole` ones each on a line of their own.
fn blocks(header: &[String], rows: &[Vec<String>], whole: &[usize], width: usize) -> String {
    let mut out = String::new();
    for (n, row) in rows.iter().enumerate() {
        if n > 0 {
            out.push('\n');
        }
        for line in wrap(row.first().map_or("", String::as_str), width) {
            out.push_str(&format!("{line}\n"));
        }
        let pairs: Vec<String> = (1..row.len())
            .filter(|i| !whole.contains(i) && !row[*i].trim().is_empty())
            .map(|i| format!("{}: {}", header[i], row[i]))
            .collect();
        for line in wrap(&pairs.join(" · "), width.saturating_sub(2)) {
            out.push_str(&format!("  {line}\n"));
        }
        for &i in whole {
            if let (Some(name), Some(value)) = (header.get(i), row.get(i)) {
                out.push_str(&format!("  {name}: {value}\n"));
            }
        }
    }
    out
}

/// `value` with one decimal, written as the chosen language writes it (`3,4` in Dutch).
pub fn decimal(value: f64) -> String {
    let text = format!("{value:.1}");
    match crate::i18n::lang() {
        crate::i18n::Lang::Nl => text.replace('.', ","),
        crate::i18n::Lang::En => text,
    }
}

/// Lines said about one thing, as one message: the only line itself, or a count and the
/// lines indented below it ("3 fouten:").
pub fn listed(lines: &[String]) -> String {
    match lines {
        [one] => one.clone(),
        many => many.iter().fold(
            crate::t!("problems-heading", count = many.len()),
            |text, line| format!("{text}\n  {line}"),
        ),
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| (*s).to_owned()).collect()
    }

    fn results(id: &str) -> (Vec<String>, Vec<Vec<String>>) {
        let header = strings(&["titel", "gemeente", "afstand", "steunpunt", "id"]);
        let rows = (0..3)
            .map(|i| {
                strings(&[
                    "Voorleesvrijwilliger in de bibliotheek van Breda",
                    "'s-Hertogenbosch",
                    "12,5 km",
                    "Steunpunt Breda",
                    &format!("{id}-{i}"),
                ])
            })
            .collect();
        (header, rows)
    }

    /// Every word of the cells appears whole, and no line is wider than `width`.
    fn readable(text: &str, width: usize) {
        for line in text.lines() {
            assert!(line.chars().count() <= width, "wider than {width}:\n{text}");
        }
        for word in [
            "Voorleesvrijwilliger",
            "bibliotheek",
            "'s-Hertogenbosch",
            "Steunpunt",
        ] {
            assert!(text.contains(word), "`{word}` broken:\n{text}");
        }
    }

    #[test]
    fn tables_wrap_between_words_at_80_and_100_columns() {
        for width in [80, 100] {
            let (header, rows) = results("voorlezen-bibliotheek");
            let text = render(&header, rows, &[4], Some(width));
            readable(&text, width);
            assert!(text.contains("voorlezen-bibliotheek-2"), "{text}");
            // Five columns fit 100; at 80 they would break words, so blocks.
            assert_eq!(text.starts_with('┌'), width == 100, "at {width}:\n{text}");
        }
        let (header, mut rows) = results("voorlezen-bibliotheek");
        for row in &mut rows {
            row.remove(2);
        }
        let header: Vec<String> = header.into_iter().filter(|h| h != "afstand").collect();
        let text = render(&header, rows, &[3], Some(80));
        readable(&text, 80);
    }

    #[test]
    fn labelled_values_wrap_under_themselves() {
        let lines = vec![
            (
                "buren".to_owned(),
                "Steunpunt Tilburg: niet verbonden; of het ons heeft toegevoegd is nog niet bekend"
                    .to_owned(),
            ),
            (
                "Steunpunt-ID".to_owned(),
                "sp_uyecsbdtuzehpo26mxy7gqibptjjugke6yr2rdu2rlnwq465btpf56nh".to_owned(),
            ),
        ];
        let text = labelled_text(&lines, Some(80));
        assert!(text.lines().all(|l| l.chars().count() <= 80), "{text}");
        assert!(
            text.lines().nth(1).unwrap().starts_with("              "),
            "{text}"
        );
        assert!(text.contains("sp_uyecsbdtuzehpo26mxy7gqibptjjugke6yr2rdu2rlnwq465btpf56nh"));
        assert_eq!(labelled_text(&lines, None).lines().count(), 2);
    }

    #[test]
    fn messages_wrap_between_words() {
        let text = "11 rijen (2, 3): kolom categories: `zorg` is geen bekende categorie; kies uit: zorg-verzorging, welzijn-sociale-hulpverlening\n  engagement: `vaak` is geen bekende soort inzet";
        let out = wrapped(text, Some(40));
        assert!(out.lines().all(|l| l.chars().count() <= 40), "{out}");
        assert!(out.contains("welzijn-sociale-hulpverlening"), "{out}");
        assert!(out.lines().nth(1).unwrap().starts_with("  "), "{out}");
        assert_eq!(wrapped(text, None), format!("{text}\n"));
    }

    #[test]
    fn rows_become_blocks_when_columns_cannot_fit() {
        let long = "000-voorleesvrijwilliger-in-de-bibliotheek-buurthuis-de-linde";
        let (header, rows) = results(long);
        let text = render(&header, rows, &[4], Some(80));
        assert!(!text.contains('┌'), "{text}");
        readable(&text, 80);
        assert!(text.contains(&format!("  id: {long}-0")), "{text}");
        assert!(
            text.contains("  gemeente: 's-Hertogenbosch · afstand: 12,5 km"),
            "{text}"
        );
    }
}
