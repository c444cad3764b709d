//! Footnotes written apart from the text that cites them (the `[2] …` blocks at the end of a
//! chapter in plain text): each is tied to the passage that cites it, the nearest one before it
//! whose text shows its marker (`[2]`, or `^[2]` as w3m renders a superscript, then shown `[2]`).
//! A note nothing cites stays where it is, as a passage of its own.

use super::{Block, Note};

/// Ties every [`Block::NoteDef`] to the passage before it that cites it.
pub(crate) fn attach(mut items: Vec<Block>) -> Vec<Block> {
    // (passage index, notes) to insert after that passage.
    let mut tied: Vec<(usize, Note)> = Vec::new();
    let mut keep = vec![true; items.len()];
    for i in 0..items.len() {
        let Block::NoteDef(note) = &items[i] else {
            continue;
        };
        let marker = format!("[{}]", note.label);
        let citing = (0..i).rev().find(|&j| {
            matches!(&items[j], Block::Passage { text, .. } if text.contains(&marker))
                && !tied.iter().any(|(k, n)| *k == j && n.label == note.label)
        });
        if let Some(j) = citing {
            tied.push((j, note.clone()));
            keep[i] = false;
        }
    }
    // w3m's `^[2]` shows as `[2]` once its note is found.
    for (j, note) in &tied {
        if let Block::Passage { text, .. } = &mut items[*j] {
            *text = text.replace(&format!("^[{}]", note.label), &format!("[{}]", note.label));
        }
    }
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.into_iter().enumerate() {
        if !keep[i] {
            continue;
        }
        out.push(item);
        let notes: Vec<Note> = tied
            .iter()
            .filter(|(j, _)| *j == i)
            .map(|(_, n)| n.clone())
            .collect();
        if !notes.is_empty() {
            out.push(Block::Notes(notes));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_note_goes_to_the_nearest_passage_citing_it() {
        let p = |t: &str| Block::Passage {
            label: None,
            text: t.into(),
        };
        let items = vec![
            p("First cites [1]."),
            p("Second cites [1] too, and ^[2]."),
            p("Third cites nothing."),
            Block::NoteDef(Note {
                label: "1".into(),
                text: "One.".into(),
            }),
            Block::NoteDef(Note {
                label: "2".into(),
                text: "Two.".into(),
            }),
            Block::NoteDef(Note {
                label: "9".into(),
                text: "Nobody cites me.".into(),
            }),
        ];
        let out = attach(items);
        assert_eq!(out.len(), 5, "{out:?}");
        assert!(
            matches!(&out[1], Block::Passage { text, .. } if text == "Second cites [1] too, and [2].")
        );
        assert!(
            matches!(&out[2], Block::Notes(n) if n.len() == 2 && n[0].text == "One." && n[1].text == "Two.")
        );
        assert!(matches!(&out[4], Block::NoteDef(n) if n.label == "9"));
    }
}
