//! Maven versions, ordered as Maven's own `ComparableVersion` (maven-artifact 3.8) orders
//! them; every string is a Maven version, so nothing is refused here.
//!
//! The version is lowercased and split into items at `.`, at `-`, and where digits meet
//! letters; a `-` or a digit/letter switch opens a nested list, so `1.0-alpha-1` is
//! `[1, 0, [alpha, [1]]]`. Then:
//!
//! - numbers compare numerically, any length, and after every qualifier (`1.1 > 1-sp`);
//! - qualifiers order `alpha < beta < milestone < rc < snapshot < "" < sp`, then any other
//!   word, alphabetically; `a1`/`b1`/`m1` are `alpha-1`/`beta-1`/`milestone-1`, `cr` is
//!   `rc`, and `ga`, `final`, `release` are the empty qualifier (the release);
//! - trailing "null" items (`0`, `""`, empty lists) are dropped from each list, so
//!   `1 == 1.0 == 1.0.0 == 1-ga == 1.final`;
//! - a nested list comes after a qualifier and before a number (`1-sp < 1-1 < 1.1`), and a
//!   missing item compares as null (`1-rc < 1 < 1-sp`).

use std::cmp::Ordering;

use super::semverish::cmp_num;

#[derive(Debug, Clone)]
enum Item {
    /// Digits without leading zeros (`"0"` for zero).
    Int(String),
    /// A qualifier, lowercased and with its aliases resolved.
    Str(String),
    List(Vec<Item>),
}

/// A parsed Maven version.
#[derive(Debug, Clone)]
pub struct Version(Vec<Item>);

const QUALIFIERS: [&str; 7] = ["alpha", "beta", "milestone", "rc", "snapshot", "", "sp"];

impl Version {
    /// Parses `v` as `ComparableVersion.parseVersion` does; never fails.
    pub fn parse(v: &str) -> Self {
        let v: Vec<char> = v.to_lowercase().chars().collect();
        let text = |from: usize, to: usize| v[from..to].iter().collect::<String>();
        // The open lists, outermost first; each closed list is the last item of its parent.
        let mut stack: Vec<Vec<Item>> = vec![Vec::new()];
        let mut start = 0;
        let mut digits = false;
        for (i, &c) in v.iter().enumerate() {
            if c == '.' || c == '-' {
                let item = if i == start {
                    Item::Int("0".into())
                } else {
                    item(digits, &text(start, i))
                };
                push(&mut stack, item);
                start = i + 1;
                if c == '-' {
                    stack.push(Vec::new());
                }
            } else if c.is_ascii_digit() {
                if !digits && i > start {
                    push(&mut stack, Item::Str(qualifier(&text(start, i), true)));
                    start = i;
                    stack.push(Vec::new());
                }
                digits = true;
            } else {
                if digits && i > start {
                    push(&mut stack, item(true, &text(start, i)));
                    start = i;
                    stack.push(Vec::new());
                }
                digits = false;
            }
        }
        if v.len() > start {
            push(&mut stack, item(digits, &text(start, v.len())));
        }
        while let Some(mut list) = stack.pop() {
            normalize(&mut list);
            match stack.last_mut() {
                Some(parent) => parent.push(Item::List(list)),
                None => return Self(list),
            }
        }
        Self(Vec::new())
    }

    /// Orders two versions by the scheme's rules.
    pub fn order(&self, other: &Self) -> Ordering {
        cmp_lists(&self.0, &other.0)
    }
}

fn push(stack: &mut [Vec<Item>], item: Item) {
    if let Some(list) = stack.last_mut() {
        list.push(item);
    }
}

fn item(digits: bool, text: &str) -> Item {
    if digits {
        Item::Int(match text.trim_start_matches('0') {
            "" => "0".into(),
            t => t.into(),
        })
    } else {
        Item::Str(qualifier(text, false))
    }
}

/// A qualifier with Maven's shorthands (only before a digit) and aliases resolved.
fn qualifier(text: &str, followed_by_digit: bool) -> String {
    let text = match text {
        "a" if followed_by_digit => "alpha",
        "b" if followed_by_digit => "beta",
        "m" if followed_by_digit => "milestone",
        "ga" | "final" | "release" => "",
        "cr" => "rc",
        t => t,
    };
    text.to_string()
}

fn is_null(item: &Item) -> bool {
    match item {
        Item::Int(n) => n == "0",
        Item::Str(s) => s.is_empty(),
        Item::List(l) => l.is_empty(),
    }
}

/// Drops trailing null items, looking through nested lists as Maven does.
fn normalize(list: &mut Vec<Item>) {
    for i in (0..list.len()).rev() {
        if is_null(&list[i]) {
            list.remove(i);
        } else if !matches!(list[i], Item::List(_)) {
            break;
        }
    }
}

/// Maven's sort key of a qualifier: its index among the known ones, or after them all and
/// alphabetical. Java compares these strings by UTF-16 units.
fn comparable(q: &str) -> String {
    match QUALIFIERS.iter().position(|k| *k == q) {
        Some(i) => i.to_string(),
        None => format!("{}-{q}", QUALIFIERS.len()),
    }
}

fn cmp_qualifiers(a: &str, b: &str) -> Ordering {
    comparable(a)
        .encode_utf16()
        .cmp(comparable(b).encode_utf16())
}

/// `a.compareTo(b)`, where `None` is Java's `null` (a missing item).
fn cmp_item(a: &Item, b: Option<&Item>) -> Ordering {
    match (a, b) {
        (Item::Int(n), None) => {
            if n == "0" {
                Ordering::Equal
            } else {
                Ordering::Greater
            }
        }
        (Item::Int(x), Some(Item::Int(y))) => cmp_num(x, y),
        (Item::Int(_), Some(_)) => Ordering::Greater,
        (Item::Str(s), None) => cmp_qualifiers(s, ""),
        (Item::Str(_), Some(Item::Int(_) | Item::List(_))) => Ordering::Less,
        (Item::Str(x), Some(Item::Str(y))) => cmp_qualifiers(x, y),
        (Item::List(l), None) => l
            .iter()
            .map(|i| cmp_item(i, None))
            .find(|o| o.is_ne())
            .unwrap_or(Ordering::Equal),
        (Item::List(_), Some(Item::Int(_))) => Ordering::Less,
        (Item::List(_), Some(Item::Str(_))) => Ordering::Greater,
        (Item::List(x), Some(Item::List(y))) => cmp_lists(x, y),
    }
}

fn cmp_lists(a: &[Item], b: &[Item]) -> Ordering {
    (0..a.len().max(b.len()))
        .map(|i| match (a.get(i), b.get(i)) {
            (None, None) => Ordering::Equal,
            (None, Some(r)) => cmp_item(r, None).reverse(),
            (Some(l), r) => cmp_item(l, r),
        })
        .find(|o| o.is_ne())
        .unwrap_or(Ordering::Equal)
}
