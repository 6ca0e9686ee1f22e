//! Colours and styles. With `NO_COLOR` set, everything is drawn with modifiers only.

use ratatui::style::{Color, Modifier, Style};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    pub colour: bool,
}

impl Theme {
    /// Colour unless `NO_COLOR` is set to anything non-empty (https://no-color.org).
    pub fn from_env() -> Theme {
        let no = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Theme { colour: !no }
    }

    pub fn plain() -> Theme {
        Theme { colour: false }
    }

    /// A code's own colour (#RRGGBB).
    pub fn code_colour(&self, hex: &str) -> Option<Color> {
        if !self.colour {
            return None;
        }
        let h = hex.trim_start_matches('#');
        if h.len() != 6 {
            return None;
        }
        let v = u32::from_str_radix(h, 16).ok()?;
        Some(Color::Rgb((v >> 16) as u8, (v >> 8) as u8, v as u8))
    }

    /// Text coded by the current coder: on the code's colour, in black or white for contrast.
    pub fn coded(&self, hex: &str) -> Style {
        match self.code_colour(hex) {
            Some(bg @ Color::Rgb(r, g, b)) => {
                let light = (r as u32 * 299 + g as u32 * 587 + b as u32 * 114) / 1000 > 140;
                Style::new()
                    .bg(bg)
                    .fg(if light { Color::Black } else { Color::White })
            }
            _ => Style::new().add_modifier(Modifier::UNDERLINED),
        }
    }

    /// Text coded by someone else (when shown): underlined in the code's colour.
    pub fn others(&self, hex: &str) -> Style {
        let s = Style::new().add_modifier(Modifier::UNDERLINED);
        match self.code_colour(hex) {
            Some(c) => s.underline_color(c).fg(c),
            None => s.add_modifier(Modifier::ITALIC),
        }
    }

    pub fn label(&self, hex: &str) -> Style {
        match self.code_colour(hex) {
            Some(c) => Style::new().fg(c),
            None => Style::new(),
        }
    }

    pub fn selection(&self) -> Style {
        if self.colour {
            Style::new().bg(Color::Blue).fg(Color::White)
        } else {
            Style::new().add_modifier(Modifier::REVERSED)
        }
    }

    /// A search match in the transcript (reversed: readable on any code colour).
    pub fn search_hit(&self) -> Style {
        Style::new()
            .add_modifier(Modifier::REVERSED)
            .add_modifier(Modifier::UNDERLINED)
    }

    pub fn cursor(&self) -> Style {
        Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD)
    }

    pub fn border(&self, focused: bool) -> Style {
        match (focused, self.colour) {
            (true, true) => Style::new().fg(Color::Cyan),
            (true, false) => Style::new().add_modifier(Modifier::BOLD),
            (false, true) => Style::new().fg(Color::DarkGray),
            (false, false) => Style::new(),
        }
    }

    pub fn speaker(&self) -> Style {
        let s = Style::new().add_modifier(Modifier::BOLD);
        if self.colour { s.fg(Color::Yellow) } else { s }
    }

    pub fn dim(&self) -> Style {
        if self.colour {
            Style::new().fg(Color::DarkGray)
        } else {
            Style::new().add_modifier(Modifier::DIM)
        }
    }

    pub fn highlight(&self) -> Style {
        if self.colour {
            Style::new()
                .bg(Color::DarkGray)
                .add_modifier(Modifier::BOLD)
        } else {
            Style::new().add_modifier(Modifier::REVERSED)
        }
    }

    pub fn key(&self) -> Style {
        let s = Style::new().add_modifier(Modifier::BOLD);
        if self.colour { s.fg(Color::Cyan) } else { s }
    }

    pub fn error(&self) -> Style {
        if self.colour {
            Style::new().fg(Color::Red)
        } else {
            Style::new().add_modifier(Modifier::BOLD)
        }
    }
}
