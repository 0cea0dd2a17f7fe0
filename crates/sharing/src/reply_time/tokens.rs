//! The tokenizer under the reply-time grammar: numbers, lower-cased words and single
//! punctuation marks, each with its byte span in the original text.

use std::ops::Range;

/// Digits beyond this make a number too long to be a time or an amount.
const MAX_NUMBER_DIGITS: usize = 6;

/// One token of a reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A run of ASCII digits; `value` saturates for runs longer than six digits.
    Num { value: u32, digits: usize },
    /// A run of letters in lower case, apostrophes inside dropped (`o'clock` → `oclock`,
    /// `I'll` → `ill`).
    Word(String),
    /// Any other single character that is not white space (punctuation, emoji, symbols).
    Punct(char),
}

/// A token and where it is in the original text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Token {
    pub kind: Kind,
    /// Byte range in the original text.
    pub span: Range<usize>,
}

fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '\u{2019}')
}

/// Splits `text` into tokens. A letter run and a digit run touching each other are separate
/// tokens ("3pm" → `3`, `pm`; "2h30" → `2`, `h`, `30`); adjacency is kept in the spans.
pub(crate) fn tokenize(text: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some((start, c)) = chars.next() {
        if c.is_whitespace() {
            continue;
        }
        if c.is_ascii_digit() {
            let mut end = start + 1;
            let mut digits = 1;
            let mut value = c.to_digit(10).unwrap_or(0);
            while let Some(&(i, d)) = chars.peek() {
                if !d.is_ascii_digit() {
                    break;
                }
                chars.next();
                end = i + 1;
                digits += 1;
                value = value
                    .saturating_mul(10)
                    .saturating_add(d.to_digit(10).unwrap_or(0));
            }
            if digits > MAX_NUMBER_DIGITS {
                value = u32::MAX;
            }
            tokens.push(Token {
                kind: Kind::Num { value, digits },
                span: start..end,
            });
        } else if c.is_alphabetic() {
            let mut end = start + c.len_utf8();
            let mut word: String = c.to_lowercase().collect();
            while let Some(&(i, d)) = chars.peek() {
                if d.is_alphabetic() {
                    chars.next();
                    word.extend(d.to_lowercase());
                    end = i + d.len_utf8();
                } else if is_apostrophe(d)
                    && text[i + d.len_utf8()..]
                        .chars()
                        .next()
                        .is_some_and(char::is_alphabetic)
                {
                    chars.next();
                    end = i + d.len_utf8();
                } else {
                    break;
                }
            }
            tokens.push(Token {
                kind: Kind::Word(word),
                span: start..end,
            });
        } else {
            tokens.push(Token {
                kind: Kind::Punct(c),
                span: start..start + c.len_utf8(),
            });
        }
    }
    tokens
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<Kind> {
        tokenize(text).into_iter().map(|t| t.kind).collect()
    }

    #[test]
    fn letters_and_digits_that_touch_become_separate_tokens() {
        assert_eq!(
            kinds("2h30"),
            vec![
                Kind::Num {
                    value: 2,
                    digits: 1
                },
                Kind::Word("h".into()),
                Kind::Num {
                    value: 30,
                    digits: 2
                },
            ]
        );
    }

    #[test]
    fn apostrophes_inside_words_are_dropped_and_case_is_folded() {
        assert_eq!(
            kinds("I'll 4 O’Clock"),
            vec![
                Kind::Word("ill".into()),
                Kind::Num {
                    value: 4,
                    digits: 1
                },
                Kind::Word("oclock".into()),
            ]
        );
    }

    #[test]
    fn spans_point_into_the_original_text_across_multibyte_characters() {
        let text = "é 15:30 👍";
        let tokens = tokenize(text);
        let pieces: Vec<&str> = tokens.iter().map(|t| &text[t.span.clone()]).collect();
        assert_eq!(pieces, vec!["é", "15", ":", "30", "👍"]);
    }

    #[test]
    fn very_long_digit_runs_saturate_instead_of_overflowing() {
        assert_eq!(
            kinds("123456789012"),
            vec![Kind::Num {
                value: u32::MAX,
                digits: 12
            }]
        );
    }
}
