//! What a key can ask for. Keys become actions through the keymap table (`keymap.rs`); the
//! action's name is what `keys.toml` uses to rebind it.

macro_rules! actions {
    ($($variant:ident => $name:literal,)*) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Action {
            $($variant,)*
            /// Code the selection with the code pinned to key n (1-based). Named
            /// `recent_code_N` in keys.toml, as before pins replaced recent codes on the digits.
            RecentCode(u8),
            /// Codebook: pin the selected code to key n (again: unpin it).
            PinCode(u8),
            /// Review: accept the n-th compared coder's version (1-based).
            AcceptCoder(u8),
            /// Analysis: show the n-th tab (1-based).
            ShowTab(u8),
        }

        impl Action {
            /// The name used in `keys.toml`.
            pub fn name(self) -> String {
                match self {
                    $(Action::$variant => $name.to_string(),)*
                    Action::RecentCode(n) => format!("recent_code_{n}"),
                    Action::PinCode(n) => format!("pin_code_{n}"),
                    Action::AcceptCoder(n) => format!("accept_coder_{n}"),
                    Action::ShowTab(n) => format!("tab_{n}"),
                }
            }

            pub fn from_name(name: &str) -> Option<Action> {
                let numbered = |prefix: &str| {
                    name.strip_prefix(prefix)
                        .and_then(|n| n.parse::<u8>().ok())
                        .filter(|n| (1..=9).contains(n))
                };
                match name {
                    $($name => Some(Action::$variant),)*
                    _ => numbered("recent_code_")
                        .map(Action::RecentCode)
                        .or_else(|| numbered("pin_code_").map(Action::PinCode))
                        .or_else(|| numbered("accept_coder_").map(Action::AcceptCoder))
                        .or_else(|| numbered("tab_").map(Action::ShowTab)),
                }
            }
        }
    };
}

actions! {
    Quit => "quit",
    ForceQuit => "force_quit",
    Back => "back",
    Help => "help",
    NextPane => "next_pane",
    PrevPane => "prev_pane",
    Up => "up",
    Down => "down",
    Left => "left",
    Right => "right",
    HalfPageDown => "half_page_down",
    HalfPageUp => "half_page_up",
    PageDown => "page_down",
    PageUp => "page_up",
    Top => "top",
    Bottom => "bottom",
    WordForward => "word_forward",
    WordBack => "word_back",
    SentenceForward => "sentence_forward",
    SentenceBack => "sentence_back",
    NextTurn => "next_turn",
    PrevTurn => "prev_turn",
    NextSameSpeaker => "next_same_speaker",
    PrevSameSpeaker => "prev_same_speaker",
    NextDocument => "next_document",
    PrevDocument => "prev_document",
    Visual => "visual",
    VisualTurn => "visual_turn",
    Code => "code",
    Uncode => "uncode",
    Extend => "extend",
    Shrink => "shrink",
    Memo => "memo",
    StudyMemo => "study_memo",
    ToggleOthers => "toggle_others",
    EditCode => "edit_code",
    Search => "search",
    SearchNext => "search_next",
    SearchPrev => "search_prev",
    Undo => "undo",
    Redo => "redo",
    Open => "open",
    Filter => "filter",
    NewCode => "new_code",
    MoveCode => "move_code",
    MergeCode => "merge_code",
    DeleteCode => "delete_code",
    Details => "details",
    Retrieve => "retrieve",
    Confirm => "confirm",
    Cancel => "cancel",
    NextItem => "next_item",
    PrevItem => "prev_item",
    NextField => "next_field",
    PrevField => "prev_field",
    Save => "save",
    Yes => "yes",
    No => "no",
    AgreementView => "agreement",
    AnalysisView => "analysis",
    CycleUnit => "cycle_unit",
    SortWorst => "sort_worst",
    Refresh => "refresh",
    AllDisagreements => "all_disagreements",
    AcceptBoth => "accept_both",
    AcceptNeither => "accept_neither",
    NextTab => "next_tab",
    PrevTab => "prev_tab",
    CycleAttribute => "cycle_attribute",
    AutoCode => "autocode",
    Snapshot => "snapshot",
    MemoBrowser => "memo_browser",
    CycleSpan => "cycle_span",
    NextParticipants => "next_participants",
    PrevParticipants => "prev_participants",
    JumpBack => "jump_back",
    ExportExcerpts => "export_excerpts",
    CopyExcerpts => "copy_excerpts",
    // Agreement (issue 11): done marks and the coder picker.
    ToggleDone => "toggle_done",
    CycleCoders => "cycle_coders",
    IcrRounds => "icr_rounds",
    CycleAnalysisCoder => "cycle_analysis_coder",
    ToggleSuggestions => "toggle_suggestions",
    AcceptSuggestion => "accept_suggestion",
    RejectSuggestion => "reject_suggestion",
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for a in [
            Action::Quit,
            Action::SearchNext,
            Action::RecentCode(7),
            Action::AcceptCoder(2),
            Action::ShowTab(5),
        ] {
            assert_eq!(Action::from_name(&a.name()), Some(a));
        }
        assert_eq!(Action::from_name("recent_code_0"), None);
    }
}
