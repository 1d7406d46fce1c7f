// Every word the widget shows or reads out, in one place for whoever edits or translates
// them. Only strings: "{name}" marks a value the code fills in (keep it as it is). Text
// that starts or ends with a space is joined to the words next to it.
// The phrases a person may type to leave are in exit-phrases.json (the server reads them too).

// ----- The launcher, on the host page ------------------------------------------------
export const DEFAULT_TITLE = "Find support"; // heading of the panel; data-title overrides it
export const DEFAULT_LAUNCHER_LABEL = "Chat to find support"; // data-launcher-label overrides it

// ----- The panel -------------------------------------------------------------------
export const EXIT_BUTTON = "Exit";
export const EXIT_BUTTON_HIDDEN = " – leave this website quickly"; // read out after "Exit"
export const CLOSE_BUTTON = "✕";
export const CLOSE_BUTTON_NAME = "Close chat"; // what a screen reader says for ✕
export const CONVERSATION_NAME = "Conversation";
export const MESSAGE_LABEL = "Your message";
export const SEND_BUTTON = "Send";
export const SUGGESTED_REPLIES_NAME = "Suggested replies";
export const YOU_SAID = "You said: "; // read out before each message, never shown
export const ASSISTANT_SAID = "Assistant said: ";
export const OPENS_IN_NEW_TAB = " (opens in new tab)"; // read out after a link's text

// ----- The language choice, in the panel's header ----------------------------------------
export const LANGUAGE_CHOICE = "Language"; // the label of the list of languages
export const LANGUAGE_CHOICE_HINT = "The chat answers in the language you choose or write in.";

// ----- The safety notice, above the first message ------------------------------------
export const NOTICE_HEADING = "Before you start";
export const NOTICE_QUICK_EXIT =
  "To leave quickly, select Exit or press the Shift key 3 times. This closes the chat, " +
  "deletes the conversation and opens {exitPlace}.";
export const EXIT_PLACE_DEFAULT = "BBC Weather"; // the default exit page
export const EXIT_PLACE_OTHER = "a different website"; // a host page's own exit page
export const NOTICE_HISTORY = "It does not erase your browsing history. ";
export const NOTICE_COVER_TRACKS = "How to cover your tracks";
export const NOTICE_DANGER = "If you are in danger now, call 999.";

// ----- When the bot cannot help --------------------------------------------------------
export const OFFLINE_MESSAGE =
  "Sorry, we can't reach the service right now. If you need to talk to someone, call " +
  "the National Domestic Abuse Helpline, free and open 24 hours a day: 0808 2000 247. " +
  "If you are in danger now, call 999.";
// The bot answered with nothing at all.
export const NO_ANSWER_MESSAGE =
  "Sorry, I don't have an answer to that. You could try other words. If you need to talk " +
  "to someone, call the National Domestic Abuse Helpline, free and open 24 hours a day: " +
  "0808 2000 247. If you are in danger now, call 999.";

// ----- The Shift ×3 shortcut, read out to screen readers --------------------------------
// After each of the first presses: {count} made so far, {left} still to make.
export const SHIFT_PRESSED = "Shift pressed {count} of 3 times. Press it {left} more to exit this page.";
// No press came for 5 seconds, or another key was pressed: the count starts again.
export const SHIFT_RESET = "Shift count reset. To exit this page, press Shift 3 times, each within 5 seconds of the last.";
