# cabildo's own words, in English (the default; every other language falls back to it).
# Keep src/i18n/es.ftl in step: the same messages, using the same variables (a test checks).
# Continuation lines may not start with `[`, `*` or `.`: such messages are one line each.

## Replies on Discord

apology = Sorry, something went wrong on my side. It has been logged; please try again in a moment.
cooldown = Easy there: you can ask again in { $seconds ->
    [one] { $seconds } second.
   *[other] { $seconds } seconds.
}
passages = { $count ->
    [one] { $count } passage
   *[other] { $count } passages
}
answer-nothing = Nothing in the text answers that. Try other words, or browse the sections with `/toc` and read them with `/read`.
answer-no-more = No more results. Try other words, or browse the sections with `/toc`.
answer-not-sure = Nothing in the text clearly answers that; these passages come nearest. Try other words, or browse the sections with `/toc`.
answer-footer = { $titles } · results { $range }
button-full = ¶ { $reference } in full
button-around = Around { $reference }
button-bookmark = 🔖 Bookmark
button-first = ◀ First results
button-more = More results ▶
button-previous = ◀ Previous
button-next = Next ▶
quote-more-not-shown = { $count ->
    [one] { $count } more passage not shown: try `/quote { $reference }` and on.
   *[other] { $count } more passages not shown: try `/quote { $reference }` and on.
}
toc-title = Contents
toc-untitled = (opening, untitled)
toc-more-lines = … { $count } more lines: use `/toc document:` for one text, or `/read`.
help-intro = I answer questions about the texts below with exact quotes and their references. I quote; I never make anything up.
help-ask = **/ask** `question` — the passages that answer it, matched words in bold, with buttons for more results, a whole passage or its neighbours. Add `private: True` to see the answer alone.
help-quote = **/quote** `reference` — the exact passage(s): `{ $example }`, a range like `2.3-5`, or a section title such as `John 3:16`.
help-read = **/read** `section` — read one passage at a time with ◀ ▶.
help-toc = **/toc** — sections with their numbers and passage counts.
help-mention = **Mention me** with a question, or send me a direct message, for the same answer as a reply.
help-find = **Find in the text** (right-click a message → Apps) — searches the texts for the words of any message.
help-bookmark = **/bookmark add** `reference` `note` — keep a passage (or press 🔖 under an answer); **/bookmarks list** and **/bookmarks export** show yours.
help-settings = **/preferences** — your own defaults in this server; **/plan** and **/settings** (server managers) — a daily reading plan, the server's defaults and its language.
help-texts-loaded = Texts loaded
help-and-more = … and { $count } more.

## Mistakes in what was typed

ref-bad = “{ $input }” is not a reference I understand. Try a form like `2.3`, `2.3-5`, `§2 ¶3` or a section title such as `John 3:16`.
unknown-document = There is no document called “{ $name }”. Loaded: { $loaded }.
notes-label = Notes:
page-label = p. { $page }
ref-no-page = No page “{ $label }” in the loaded texts: pages are known only for PDF files.
ref-no-text = That reference points at no loaded text.
ref-no-section = There is no section { $section } in “{ $title }”: it has { $count ->
    [one] { $count } section, numbered 1 to { $count }.
   *[other] { $count } sections, numbered 1 to { $count }.
} See the table of contents.
ref-bad-range = Passages are numbered from 1 and a range runs forwards, e.g. `{ $example }`.
ref-no-passage = { $name } has { $count ->
    [one] { $count } passage
   *[other] { $count } passages
}; there is no ¶{ $passage }.
ref-several-items = More than one item of “{ $title }” is numbered “{ $typed }”: { $items }. Type one of those.
ref-which-text = Several texts are loaded; say which one, e.g. `{ $example }`. Loaded: { $loaded }.
ref-several-texts-have = Several texts have a “{ $typed }”; say which one, e.g. `{ $example }`. Loaded: { $loaded }.
ref-no-such-own = There is no section “{ $typed }” in “{ $title }”, which numbers its own sections: { $sections }. See the table of contents.

## Bookmarks

bookmark-note-too-long = Your note is { $length } characters long; a note can hold at most { $most }. Shorten it and bookmark again (nothing was saved).
bookmark-one-passage = Bookmark one passage at a time, such as `2.3` (not a range or a whole section).
bookmark-too-many = You have { $count } bookmarks, the most one member can keep. Export them (`/bookmarks export`) and remove some first.
bookmark-saved = 🔖 Bookmarked { $reference }. `/bookmarks list` shows yours, `/bookmarks export` sends them as a file.
bookmark-saved-note = 🔖 Bookmarked { $reference } with your note “{ $note }”. `/bookmarks list` shows yours, `/bookmarks export` sends them as a file.
bookmarks-none = You have no bookmarks yet: press 🔖 under a quoted passage, or use `/bookmark add`.
bookmarks-no-page = There is no page { $page }: you have { $total ->
    [one] { $total } bookmark
   *[other] { $total } bookmarks
} on { $pages ->
    [one] { $pages } page.
   *[other] { $pages } pages.
}
bookmarks-head = **Your bookmarks** (page { $page } of { $pages }, { $total } in all)
bookmarks-next-page = `/bookmarks list page:{ $page }` for the next page.
bookmark-changed-mark = ⚠ text changed since
bookmark-gone-mark = ⚠ no longer in the texts
bookmarks-export-none = You have no bookmarks to export yet.
bookmarks-no-part = There is no part { $part }: your export has { $parts ->
    [one] { $parts } part.
   *[other] { $parts } parts.
}
bookmarks-export = { $count ->
    [one] Your { $count } bookmark as Markdown.
   *[other] Your { $count } bookmarks as Markdown.
}
bookmarks-export-part = This is part { $part } of { $parts }: `/bookmarks export part:{ $next }` for the next.
export-title = Bookmarks
export-title-part = Bookmarks ({ $part } of { $parts })
export-note = Note:
export-changed = The text of this passage has changed since it was bookmarked; this is the text as it was.
export-gone = This passage is no longer in the texts; this is the text as it was.

## Settings, preferences, reading plans

no-store = This bot runs without a database, so settings and reading plans are off. Its admin can turn them on (see `cabildo db status`).
server-only = That works only in a server: run it in one of its channels.
source-command = this command
source-member = your preference
source-server = server setting
source-config = bot default
yes = yes
no = no
settings-rate-off = off
settings-rate = { $burst } requests at once, one more every { $seconds } s
settings-all-documents = all documents
settings-language-auto = each member's own Discord language
settings-document = Default document: { $value } ({ $source })
settings-private = Private replies by default: { $value } ({ $source })
settings-results = Results per answer: { $value } ({ $source })
settings-rate-limit = Rate limit per member: { $value } ({ $source })
settings-language = Language of the bot: { $value } ({ $source })
out-of-range = { $what } must be a whole number from { $low } to { $high }, not { $value }.
range-results = The number of results
range-burst = The rate limit's burst
range-refill = The rate limit's refill time
range-per-day = Passages per day
language-unknown = “{ $typed }” is not a language I speak: choose en (English), es (Spanish) or auto (each member's own).
settings-heading = This server's settings:
settings-heading-reset = Settings reset to the bot's defaults:
settings-heading-saved = Saved. This server's settings:
settings-footer = Members may choose their own with `/preferences`; an option in a command always wins.
preferences-heading = The settings that apply to you here:
preferences-heading-reset = Your preferences are forgotten; the server's settings apply:
preferences-heading-saved = Saved. The settings that apply to you here:
preferences-rate-is-servers = The rate limit is the server's to set (`/settings`).
preferences-language-is-servers = The bot's language here is the server's to set (`/settings`); otherwise it follows your Discord language.
plan-text-gone = The plan's text `{ $document }` is no longer among this server's texts: add it again with `/texts add`, or stop the plan (`/plan stop`) and start another.
plan-text-not-loaded = The plan's text is no longer loaded: stop the plan (`/plan stop`) and start another.
plan-skip-past-end = Skipping would pass the end of the text: the next post is the last one.
plan-none = This server has no reading plan. Start one with `/plan start`.
plan-from-elsewhere = { $typed } is not in { $document }: give a reference in the plan's text.
plan-no-passages = That text has no passages to read.
plan-cannot-post = I cannot post in this channel: I need View Channel, Send Messages and Create Public Threads here. Give me those, or pick another channel with the `channel` option.
plan-exists = This server already has a reading plan: see it with `/plan status`, or end it with `/plan stop` before starting another.
plan-started = Reading plan started.
plan-state-active = next post <t:{ $due }:F> (<t:{ $due }:R>)
plan-state-paused = paused ({ $reason }); `/plan resume` continues from where it stopped
plan-state-ended = ended
plan-no-reason = no reason given
plan-paused-by-command = paused with /plan pause
plan-describe = **{ $title }** in <#{ $channel }>: { $count ->
    [one] { $count } passage
   *[other] { $count } passages
} a day at { $time } ({ $timezone }), { $posts } posted so far.
    Next: { $next }; { $state }.
time-bad = “{ $typed }” is not a time I understand: use 24-hour `HH:MM`, such as `07:30` or `19:00`.
time-out-of-day = { $typed } is not a time of day: hours go from 00 to 23 and minutes from 00 to 59 (for example `07:30`).
zone-bad = “{ $typed }” is not a time zone I know: use an IANA name such as `Europe/Madrid`, `America/La_Paz` or `UTC` (see https://en.wikipedia.org/wiki/List_of_tz_database_time_zones).
plan-post-head = Reading plan, day { $day }
plan-post-late = (late: this was due { $due })
plan-finished = That was the last passage of { $title }: the reading plan is finished. Thank you for reading together!
plan-thread = Day { $day }: { $span }
pause-zone = its time zone { $zone } is unknown
pause-document = the document { $document } is no longer loaded
pause-channel-gone = its channel is gone (deleted, or the bot was removed from the server)
pause-forbidden = the bot may not post in its channel (it needs View Channel, Send Messages and Create Public Threads there)
plan-paused-tell = The reading plan in <#{ $channel }> is paused: { $reason }. Fix that, then run `/plan resume` in the server (or `/plan stop` to end it). Nothing is lost: it continues where it stopped.

## A server's own texts (/texts)

texts-not-allowed = Only members with **Manage Server** may add or remove this server's texts. Ask one of them, or ask an admin to give you that permission.
texts-file-name = “{ $name }”
texts-the-text = the text
texts-reading = 📥 Reading { $name }…
texts-read = 📖 Read **{ $title }** (`{ $id }`, { $how }, { $language }): { $sections ->
    [one] { $sections } section
   *[other] { $sections } sections
}, { $passages ->
    [one] { $passages } passage.
   *[other] { $passages } passages.
}
texts-indexing = ⏳ Indexing…
texts-ready = ✅ Ready to answer (after { $seconds } s): ask with `/ask question: … document:{ $id }`, or quote it with `/quote reference:{ $id }:1.1`.
texts-vectors-ready = 🧠 Meaning search ready: questions asked in other words than the text's find it too.
texts-vectors-failed = Meaning search could not be prepared for it (the bot's host can see why in the log); answers are found by the text's own words meanwhile.
texts-vectors-starting = 🧠 Preparing meaning search…
texts-vectors-progress = 🧠 Preparing meaning search: { $percent }% ({ $done } of { $total } passages and sentences). Answers already work by the text's words.
refused-too-large = { $what } is { $size }, more than the { $max } a text may be here. Split it into parts (by chapter, say) and add each, or ask the bot's host to raise `max_text_bytes`.
refused-unreadable = I could not read { $what }: { $why }.
refused-too-slow = Reading { $what } took longer than the { $seconds } s allowed, so I stopped. Split it into smaller parts and add those.
refused-taken = This server has a text called `{ $id }` already. Give this one another title with the `title` option, or remove the other first with `/texts remove document:{ $id }`.
refused-host-has = `{ $id }` is one of the bot's own texts, which every server has already. If yours is another text, give it another title with the `title` option.
refused-too-many = This server has { $count } texts, the most it may keep ({ $max }). Remove one with `/texts remove` first, or ask the bot's host to raise `max_texts_per_server`.
refused-over-quota = This server's texts take { $used }; with this one ({ $size }) they would pass the { $max } a server may keep. Remove a text with `/texts remove`, or ask the bot's host to raise `max_bytes_per_server`.
refused-not-found-none = This server has no text called “{ $name }”; it has no texts of its own yet (add one with `/texts add`).
refused-not-found = This server has no text called “{ $name }”. Its texts: { $texts }.
refused-no-store = This bot runs without a database, so servers cannot keep texts of their own. Its admin can turn it on (see `cabildo db status`).
refused-no-file = Attach the file with the command: `/texts add file:` and pick a text, Markdown, HTML, EPUB or PDF file.
refused-fetch-not-allowed = { $what } does not come from Discord's file server, so I did not fetch it.
refused-fetch-too-large = { $what } is { $size }, more than the { $max } a text may be here.
refused-fetch-status = I could not download { $what } from Discord (it answered { $code }). Please try again.
refused-fetch-failed = I could not download { $what } from Discord (the connection failed). Please try again.
refused-unchanged = Nothing was added; this server's texts are as they were.
unreadable-empty = the file is empty
unreadable-binary = it is not a text (it holds binary data). Send it as plain text, Markdown, HTML, EPUB or a PDF with a text layer
unreadable-binary-kind = it is not a text (it is { $kind }). Send it as plain text, Markdown, HTML, EPUB or a PDF with a text layer
unreadable-corrupt = it is not a readable { $format } file ({ $detail })
unreadable-unpacks = it unpacks to more than { $mb } MB, more than this bot reads; send a smaller part of it
unreadable-entries = it holds more than { $limit } files, more than this bot reads
unreadable-slow = reading it took longer than { $seconds } s; send a smaller part of it
unreadable-no-text-layer = this PDF has no text layer (a scan?): the bot reads only the text a PDF carries and does no OCR. A text, EPUB or HTML copy will do
unreadable-failed = the { $format } reader failed on it (a bug: the bot's host finds the details in its log)
unreadable-encoding = { $share }% of it is not UTF-8, the usual encoding of text files. Save it as UTF-8 text and send it again
unreadable-no-passages = it has no paragraphs of text in it
texts-removed = 🗑 Removed **{ $title }** (`{ $id }`) from this server's texts. Questions are no longer answered from it; its buttons say they are out of date, and bookmarks keep the passages they saved.
texts-removed-plan = The reading plan on it is paused (`/plan status`); stop it with `/plan stop`, or add the text again and `/plan resume`.
texts-host = the bot's host
texts-list-head = **This server's texts** ({ $count } of { $max }, { $used } of { $most }):
texts-list-none = None yet: add one with `/texts add file:`.
texts-list-item = `{ $id }` **{ $title }**: { $size }, { $passages ->
    [one] { $passages } passage
   *[other] { $passages } passages
}; added by { $by } <t:{ $when }:R>
texts-list-host = **Texts every server has**:

## Buttons and messages that no longer work

find-no-text = That message has no text to search for.
button-stale = That button no longer works (the bot was updated or restarted, or the texts changed). Please run the command again.
button-out-of-date = That button is out of date: the text it quotes has changed since. Please run the command again.
button-text-gone = That button is out of date: the text it quotes is no longer among this server's texts (`/texts list` shows them).

## The command line

cli-answer-nothing = Nothing in the text answers that. Try other words, or browse the sections with `cabildo toc`.
cli-answer-not-sure = Nothing in the text clearly answers that; these passages come nearest. Try other words, or browse the sections with `cabildo toc`.
cli-untitled-opening = (untitled opening)
cli-untitled = (untitled)
# A text's language in `toc` ($code: ISO 639-1 code, `und` when undetermined; $name: its English name).
language-name = { $code ->
    [und] undetermined
   *[other] { $name }
}

## Command and option descriptions (Discord shows at most 100 characters)

cmd-ask = Ask a question; get the passages of the text that answer it, quoted
cmd-quote = Quote passages by reference: 2.3, 2.3-5, John 3:16
cmd-read = Read the text one passage at a time, with buttons to move on
cmd-toc = The table of contents: sections, their numbers and passage counts
cmd-help = What this bot does, its commands and its texts
cmd-bookmark = Keep a passage, with a note, to find it again
cmd-bookmarks = Your bookmarks (only you see them)
cmd-texts = This server's own texts: add, remove, list (Manage Server)
cmd-settings = This server's settings for the bot (Manage Server)
cmd-preferences = Your own defaults in this server (over the server's settings)
cmd-plan = Read a text together: the next passages posted every day (Manage Server)
opt-question = Your question, in plain words
opt-private = Show the answer only to you
opt-reference = A reference such as 2.3, 2.3-5 or John 3:16 (start typing a section title)
opt-section = Where to start: a section number or title (start typing)
opt-paragraph = The passage to start at (default: the first)
opt-reference-2 = The passage: 2.3, John 3:16 (start typing a section title)
opt-note = Your note (up to 500 characters)
opt-page = The page (default 1)
opt-part = The part, when the export takes several messages (default 1)
opt-file = The text: plain text, Markdown, HTML, EPUB or PDF
opt-title = Its title (default: what the text says, else the file name)
opt-language = Its language, such as en or es (default: read from the text)
opt-document = The text to remove (start typing its name)
opt-results = Passages per answer (1-10)
opt-rate-burst = Rate limit: requests a member may send at once (1-100)
opt-rate-refill-seconds = Rate limit: seconds until a used request comes back (0 turns it off)
opt-document-2 = The text to read
opt-from = Where to start, a reference such as 2.1 (default: the beginning)
opt-passages-per-day = Passages in each post (1-10, default 1)
opt-channel = Where to post (default: this channel)
opt-time = Local time of the post, 24-hour HH:MM (default 08:00)
opt-timezone = IANA time zone such as Europe/Madrid (default UTC)
sub-add = Bookmark a passage by its reference
sub-list = Your bookmarks, ten to a page
sub-export = Your bookmarks as a Markdown file
sub-add-2 = Add a text for this server from a file (text, Markdown, HTML, EPUB or PDF)
sub-remove = Remove one of this server's texts
sub-list-2 = This server's texts, and the texts every server has
sub-show = Show the settings and where each comes from
sub-set = Change settings; options left out stay as they are
sub-reset = Back to the bot's defaults
sub-show-2 = Show the settings that apply to you
sub-set-2 = Change your defaults; options left out stay as they are
sub-reset-2 = Forget your defaults
sub-start = Start a reading plan in this server
sub-status = The plan: what comes next, and when
sub-pause = Stop posting until resumed
sub-resume = Post again, from where it stopped
sub-skip = Skip the next day's passages
sub-stop = End the plan
opt-document-3 = Search only this text
opt-document-4 = Only this text
opt-server-document = Default text for /ask and /read (`all` for every text)
opt-server-private = Default: answers only the asker sees
opt-member-document = Your default text for /ask and /read (`all` for every text)
opt-member-private = Your default: answers only the asker sees
opt-server-language = The language of the bot's words here (default: each member's own)
choice-language-auto = Each member's own (their Discord language)
complete-opening = §{ $number } (opening)
