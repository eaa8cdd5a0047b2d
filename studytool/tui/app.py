"""The Textual app: shared state (settings, library, store, card language, clock) and navigation.

Screens reach the shared state through `self.app`:

- `app.library` (LoadResult) and `app.reload_library()` after a deck file changed on disk;
- `app.store` (Store, or None while it opens or when the database cannot be used:
  `app.store_error` then says why, and the app stays read-only);
- `app.lang` ("en"/"ko", reactive: `l` switches the language of card text app-wide);
- `app.clock()` (UTC-aware now; tests inject a fixed time).
- `app.settings`, replaced by `app.apply_settings()` (the Settings screen), which also writes
  config.toml; the language `l` chooses is written there too, so a restart keeps it.
- `app.action_sync()` (the command palette) runs `studytool sync` with the remembered remote in
  a thread worker; `app.action_cancel_sync()` stops it (the next sync completes it).

Changes reach every screen through the app's signals (`textual.signal.Signal`), which
screens follow (`StudyScreen.follow`): `library_changed` (decks reloaded), `store_ready` (the
store opened in a thread after the first frame, or failed), `progress_changed` (grades, undo,
bury, suspend) and `card_edited` (a card's `deck/id`, saved by the editor). A screen reports a
change of progress or a saved card by posting `ProgressChanged` or `CardEdited`, which bubble
up to the app.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import on, work
from textual.app import App
from textual.binding import Binding
from textual.dom import DOMNode
from textual.notifications import SeverityLevel
from textual.reactive import reactive
from textual.signal import Signal
from textual.worker import WorkerFailed

from studytool import _paths
from studytool.config import ConfigError, Settings
from studytool.content.library import load_library
from studytool.content.model import Card, Deck, LoadResult
from studytool.fsio import atomic_write
from studytool.study.text import t
from studytool.textsafe import visible
from studytool.tui.commands import StudyCommands
from studytool.tui.errors import error_log_path, error_summary, write_error_log
from studytool.tui.home import HomeScreen
from studytool.tui.messages import CardEdited, OpenEditor, ProgressChanged

if TYPE_CHECKING:
    from studytool.demorun.runner import DemoRunner
    from studytool.store.gitsync import SyncReport
    from studytool.store.repo import Store

Clock = Callable[[], datetime]

# seconds after the first paint before the demo worker starts importing torch: the store opens
# first (Home, STORE_DELAY), and the frame is out before a child process competes for the CPU
DEMO_PREWARM_DELAY = 0.3


def _utc_now() -> datetime:
    # not store.scheduler.utc_now: importing the store (fsrs, sqlite3) would delay the first frame
    return datetime.now(UTC)


class StudyApp(App[None]):
    # absolute paths: subclasses live elsewhere. Home's own sheet is read with the app's, so
    # the first frame parses CSS once instead of twice
    CSS_PATH = [Path(__file__).with_name("app.tcss"), Path(__file__).with_name("home.tcss")]
    TITLE = "studytool"
    COMMANDS = App.COMMANDS | {StudyCommands}
    COMMAND_PALETTE_BINDING = "ctrl+p"
    BINDINGS = [
        Binding("l", "toggle_lang", "한/En", id="toggle-lang"),
        Binding("question_mark", "help", "Keys", id="help", key_display="?"),
        Binding("ctrl+q", "quit", "Quit", id="quit", show=False, priority=True),
    ]

    # a mode, not get_default_screen(): Textual loads screen CSS only for modes and pushed screens
    MODES = {"home": HomeScreen}
    DEFAULT_MODE = "home"
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (110, "-wide")]
    VERTICAL_BREAKPOINTS = [(0, "-short"), (32, "-tall")]

    lang: reactive[str] = reactive("en")

    def __init__(
        self,
        settings: Settings,
        library: LoadResult | None = None,
        *,
        store: Store | None = None,
        clock: Clock | None = None,
        open_store: bool = True,
        demo_runner: DemoRunner | None = None,
        prewarm_demos: bool | None = None,
    ) -> None:
        """`store` skips opening one (tests, benchmarks); `open_store=False` runs without one.
        `demo_runner` replaces the app's own (tests; the app stops it on exit as its own);
        `prewarm_demos` starts the warm demo worker after the first paint (None: unless
        STUDYTOOL_DEMO_PREWARM=0, as the test suite sets it, so that a test app does not start
        a torch process)."""
        super().__init__()
        self.settings = settings
        self.library = library if library is not None else load_library(settings.deck_dirs)
        self.clock: Clock = clock or _utc_now
        self.store: Store | None = store
        self.store_error: str | None = None
        # (retention, cards rescheduled) by the last apply_settings that changed the retention
        self.rescheduled: tuple[float, int] | None = None
        self.fatal_error: str | None = None  # why the app stopped, after an error it cannot survive
        self.store_pending = store is None and open_store
        self._owns_store = store is None
        self._demo_runner: DemoRunner | None = demo_runner
        if prewarm_demos is None:
            prewarm_demos = os.environ.get("STUDYTOOL_DEMO_PREWARM", "1") != "0"
        self.prewarm_demos = prewarm_demos
        self._store_started = False
        self._sync_cancel: threading.Event | None = None  # set while a sync runs
        self.library_changed: Signal[None] = Signal(self, "library-changed")
        self.store_ready: Signal[None] = Signal(self, "store-ready")
        self.progress_changed: Signal[None] = Signal(self, "progress-changed")
        self.card_edited: Signal[str] = Signal(self, "card-edited")
        self.set_reactive(StudyApp.lang, settings.lang if settings.lang in ("en", "ko") else "en")
        if settings.theme in self.available_themes:  # the theme saved in config.toml
            self.set_reactive(App.theme, settings.theme)

    # ---- lifecycle -----------------------------------------------------------------------

    def on_mount(self) -> None:
        # [keymap] was read and its key names checked with the other settings (config.py)
        if keymap := dict(self.settings.keymap):
            self.set_keymap(keymap)
            # set_keymap tells the screen only once the app is mounted (after this handler);
            # the key bar and Home's Actions panel show the keys of the bindings now
            self.screen.refresh_bindings()
        if self.library.problems:
            lang = self.lang
            self.notify(
                t(
                    "app_deck_problems",
                    lang,
                    n=len(self.library.problems),
                    files=len(self.library.broken),
                ),
                title=t("app_deck_errors", lang),
                severity="error",
                timeout=10,
            )
        if self.store is not None and not self.store_pending:
            self._sync_store(self.store)
        if self.prewarm_demos:
            self.call_after_refresh(self.set_timer, DEMO_PREWARM_DELAY, self._prewarm_demo_worker)

    def on_unmount(self) -> None:
        if self._sync_cancel is not None:  # quitting does not wait for a slow remote
            self._sync_cancel.set()
        if self.store is not None and self._owns_store:
            self.store.close()
        if self._demo_runner is not None:
            self._demo_runner.shutdown()

    @property
    def demo_runner(self) -> DemoRunner:
        """The runner of every demo screen: one warm worker kept between runs, made on first use
        (importing it at start-up would slow the first frame)."""
        if self._demo_runner is None:
            from studytool.demorun.runner import DemoRunner

            self._demo_runner = DemoRunner()
        return self._demo_runner

    def _prewarm_demo_worker(self) -> None:
        """Start the demo worker (a child that imports torch) while the user is still on Home,
        so that the first demo does not wait for the import."""
        # the runner is made here (one per app); Popen and its pipe threads run off the UI thread
        self.run_worker(
            self.demo_runner.prewarm,
            thread=True,
            group="demo-prewarm",
            exit_on_error=False,
        )

    # ---- notifications and errors --------------------------------------------------------

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Every notification is plain text: messages carry deck ids, titles, file names and
        config values, and as markup `[@click=app.screenshot(...)]` in one would run an action on
        a click. `markup` is accepted for Textual's signature (widgets always pass True) and
        ignored; control characters are shown as escapes."""
        super().notify(
            visible(message),
            title=visible(title),
            severity=severity,
            timeout=timeout,
            markup=False,
        )

    def action_help_quit(self) -> None:
        # Textual's version writes the key in markup, which plain notifications would show
        for key, active in self.active_bindings.items():
            if active.binding.action in ("quit", "app.quit"):
                self.notify(
                    t("app_press_to_quit", self.lang, press=key), title=t("app_quit_q", self.lang)
                )
                return

    def report_error(self, error: BaseException) -> None:
        """Show an unexpected error as a notification naming the log file with its traceback;
        the app goes on."""
        where = write_error_log(error_log_path(self.settings.data_dir), error)
        self.notify(
            f"{error_summary(error)}\n{t('app_goes_on', self.lang, where=where)}",
            title=t("app_went_wrong", self.lang),
            severity="error",
            timeout=30,
        )

    async def _dispatch_action(self, namespace: DOMNode, action_name: str, params: Any) -> bool:
        # every key binding, click and palette command runs through here, in the app's own
        # message loop: an error escaping it would stop the whole app
        try:
            return await super()._dispatch_action(namespace, action_name, params)
        except Exception as error:
            self.report_error(error)
            return True

    def _handle_exception(self, error: Exception) -> None:
        """Textual's last resort. A failed worker is reported and the app goes on; anything
        else has stopped a message loop, so the app exits with status 1 and `run_app` prints
        one line that names the log instead of a traceback (which could carry deck text)."""
        if isinstance(error, WorkerFailed):
            self.report_error(error.error)
            return
        where = write_error_log(error_log_path(self.settings.data_dir), error)
        self._return_code = 1
        if self._exception is None:  # Pilot re-raises it, so tests see the error
            self._exception = error
            self._exception_event.set()
        # printed by run_app once the terminal is back, as one line (a path to copy)
        self.fatal_error = f"studytool: internal error: {error_summary(error)}; details in {where}"
        self._close_messages_no_wait()

    # ---- the store -----------------------------------------------------------------------

    def open_store(self) -> None:
        """Open the store in a thread; Home calls this once its first frame is on screen."""
        if self.store_pending and not self._store_started:
            self._store_started = True
            self.open_store_worker()

    @work(thread=True, exclusive=True, group="store", exit_on_error=False)
    def open_store_worker(self) -> None:
        from studytool.store.errors import StoreError
        from studytool.store.repo import Store

        try:
            store = Store.open(self.settings, now=self.clock())
            self._sync_store(store)
        except StoreError as e:
            self.call_from_thread(self._store_failed, str(e))
            return
        except OSError as e:
            self.call_from_thread(self._store_failed, f"{self.settings.data_dir}: {e}")
            return
        except Exception as e:  # a failure in this thread must reach the user, not vanish
            self.call_from_thread(self._store_failed, f"{type(e).__name__}: {e}")
            return
        self.call_from_thread(self._store_opened, store)

    def _sync_store(self, store: Store) -> None:
        """Register the cards of the loaded decks; decks that failed to load keep their cards."""
        store.sync(self.all_cards(), skip_decks=self.library.broken, now=self.clock())

    def _store_opened(self, store: Store) -> None:
        self.store = store
        self.store_pending = False
        self.store_ready.publish(None)

    def _store_failed(self, error: str) -> None:
        self.store = None
        self.store_error = error
        self.store_pending = False
        self.notify(
            f"{error}\n{t('app_browsing_works', self.lang)}",
            title=t("app_db_unavailable", self.lang),
            severity="error",
            timeout=30,
        )
        self.store_ready.publish(None)

    def require_store(self) -> Store | None:
        """The store, or None after telling the user why it cannot be used right now."""
        if self.store is None:
            if self.store_pending:
                self.notify(t("app_db_opening", self.lang), severity="warning")
            else:
                self.notify(
                    self.store_error or t("app_no_db", self.lang),
                    title=t("app_read_only", self.lang),
                    severity="error",
                )
        return self.store

    # ---- content -------------------------------------------------------------------------

    def all_cards(self) -> list[Card]:
        return [c for d in self.library.decks for c in d.cards]

    def deck(self, deck_id: str) -> Deck | None:
        return next((d for d in self.library.decks if d.id == deck_id), None)

    def reload_library(self) -> None:
        """Read the decks from disk again, re-sync the store and tell every screen."""
        self.library = load_library(self.settings.deck_dirs)
        if self.store is not None:
            from studytool.store.errors import StoreError

            try:
                self._sync_store(self.store)
            except StoreError as e:
                self.notify(str(e), title=t("app_db", self.lang), severity="error")
        self.library_changed.publish(None)

    # ---- cross-screen messages -----------------------------------------------------------

    @on(ProgressChanged)
    def _progress_changed(self, message: ProgressChanged) -> None:
        self.progress_changed.publish(None)

    @on(CardEdited)
    def _card_edited(self, message: CardEdited) -> None:
        self.card_edited.publish(message.full_id)

    @on(OpenEditor)
    def _open_editor(self, message: OpenEditor) -> None:
        self.open_editor(message.path, message.card_id)

    # ---- navigation ----------------------------------------------------------------------

    def action_toggle_lang(self) -> None:
        self.lang = "ko" if self.lang == "en" else "en"

    def watch_lang(self, lang: str) -> None:
        # the choice is remembered in config.toml: the next start is in the same language
        if lang != self.settings.lang:
            self.settings = replace(self.settings, lang=lang)
            try:
                self.save_settings({"lang": lang})
            except ConfigError as e:
                self.notify(str(e), title=t("lang_not_saved", lang), severity="warning")

    # ---- settings ------------------------------------------------------------------------

    def save_settings(self, values: dict[str, object]) -> None:
        """Write `values` (config keys, dotted for a table) to config.toml, keeping the rest of
        it; ConfigError when that fails. Without a config file (tests) nothing is written."""
        path = self.settings.config_path
        if path is not None:
            from studytool.config import write_settings

            write_settings(path, values)

    def apply_settings(self, settings: Settings, values: dict[str, object]) -> None:
        """Save `values` to config.toml, then use `settings` everywhere: the store counts
        with the new limits and schedules with the new retention, and every screen is told.
        ConfigError (nothing changed) when the file cannot be written."""
        self.save_settings(values)
        rescheduled = settings.scheduler != self.settings.scheduler
        self.settings = settings
        self.rescheduled = None
        if self.store is not None:
            self.store.settings = settings
            retention = settings.scheduler.desired_retention
            if retention != self.store.desired_retention:
                # logged and applied at once: every card in review gets the new interval
                n = self.store.set_desired_retention(retention, self.clock())
                self.rescheduled = (retention, n)
            elif rescheduled:
                self.store.reload_scheduler()
        self.lang = settings.lang
        if settings.theme in self.available_themes:
            self.theme = settings.theme
        self.progress_changed.publish(None)

    def action_reload(self) -> None:
        self.reload_library()
        n = len(self.library.problems)
        loaded = t("app_decks_loaded", self.lang, n=len(self.library.decks))
        self.notify(
            loaded + (t("app_n_problems", self.lang, n=n) if n else ""),
            severity="error" if n else "information",
        )

    def action_home(self) -> None:
        while len(self.screen_stack) > 1:
            self.pop_screen()

    def action_help(self) -> None:
        from studytool.tui.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def action_review(self, deck: str = "") -> None:
        self.start_review(deck or None, cram=False)

    def action_cram(self, deck: str = "") -> None:
        self.start_review(deck or None, cram=True)

    def start_review(self, deck: str | None, *, cram: bool) -> None:
        from studytool.tui.review import start_review

        if self.require_store() is None:
            return
        screen = start_review(self, deck, cram=cram)
        if screen is not None:
            self.push_screen(screen)

    def action_browse(self) -> None:
        from studytool.tui.browse import BrowseScreen

        self.push_screen(BrowseScreen())

    def action_stats(self) -> None:
        from studytool.tui.stats import StatsScreen

        self.push_screen(StatsScreen())

    def action_quiz(self, deck: str = "") -> None:
        from studytool.tui.quiz import QuizSetupScreen

        if self.require_store() is None:
            return
        self.push_screen(QuizSetupScreen(deck=deck or None))

    def action_demo(self, name: str, card_id: str = "") -> None:
        from studytool.tui.demo import DemoScreen

        self.push_screen(DemoScreen(name, card_id or None))

    def action_settings(self) -> None:
        from studytool.tui.settings import SettingsScreen

        if not isinstance(self.screen, SettingsScreen):
            self.push_screen(SettingsScreen())

    def action_exam_plan(self) -> None:
        from studytool.tui.exam import ExamScreen

        if not isinstance(self.screen, ExamScreen):
            self.push_screen(ExamScreen())

    def action_demos(self) -> None:
        from studytool.tui.demo_list import DemoListScreen

        self.push_screen(DemoListScreen())

    # ---- sync ----------------------------------------------------------------------------

    @property
    def syncing(self) -> bool:
        return self._sync_cancel is not None

    def action_sync(self) -> None:
        """`studytool sync` with the remote remembered in config.toml, in a thread."""
        if self.syncing:
            self.notify(t("sync_busy", self.lang), severity="warning")
            return
        store = self.require_store()
        if store is None:
            return
        remote = self.settings.sync_remote
        if not remote:
            self.notify(t("sync_no_remote", self.lang), title=t("sync", self.lang), timeout=10)
            return
        self._sync_cancel = threading.Event()
        self.notify(t("sync_running", self.lang, remote=remote), title=t("sync", self.lang))
        self.sync_worker(store, remote, self._sync_cancel)

    def action_cancel_sync(self) -> None:
        if self._sync_cancel is not None:
            self._sync_cancel.set()

    @work(thread=True, exclusive=True, group="sync", exit_on_error=False)
    def sync_worker(self, store: Store, remote: str, cancel: threading.Event) -> None:
        from studytool.store.errors import StoreError
        from studytool.store.gitsync import SyncCancelled, sync

        report: SyncReport | None = None
        error: str | None = None
        try:
            report = sync(store, remote, cancel)
        except SyncCancelled:
            error = t("sync_cancelled", self.lang)
        except StoreError as e:
            error = str(e)
        except OSError as e:
            error = f"{remote}: {e}"
        except Exception:
            if cancel.is_set():
                return  # the app quit and closed the store under it; the next sync completes it
            raise
        if cancel.is_set() and not self.is_running:
            return  # nobody to tell
        self.call_from_thread(self._sync_ended, report, error)

    def _sync_ended(self, report: SyncReport | None, error: str | None) -> None:
        self._sync_cancel = None
        lang = self.lang
        if report is None:
            self.notify(error or "", title=t("sync_failed", lang), severity="error", timeout=15)
            return
        a = report.applied
        self.notify(
            t("sync_done", lang, sent=report.sent, received=a.new, cards=a.cards),
            title=t("sync", lang),
        )
        for line in a.bad[:3]:
            self.notify(line, title=t("sync_damaged", lang), severity="warning", timeout=15)
        # cards other machines studied are due elsewhere now, and Home shows the sync time
        self.progress_changed.publish(None)

    def open_editor(
        self, path: Path, card_id: str | None = None, new_type: str | None = None
    ) -> None:
        from studytool.tui.editor import EditorScreen

        target = self.editable_deck(path)
        if target is not None:
            self.push_screen(EditorScreen(target, card_id=card_id, new_type=new_type))

    def editable_deck(self, path: Path) -> Path | None:
        """The file to edit for the deck at `path`. A built-in deck of an installed package
        (which an upgrade replaces) is first copied to the user's deck folder, where it
        overrides the built-in one; in a checkout the deck file itself is edited."""
        deck = next((d for d in self.library.decks if d.path == path), None)
        if deck is None or not deck.builtin or not _paths.decks_installed():
            return path
        folder = self.settings.user_decks_dir
        target = folder / path.name
        n = 2
        while target.exists():  # a deck of the user's own already has the name
            target = folder / f"{path.stem}-{n}{path.suffix}"
            n += 1
        try:
            folder.mkdir(parents=True, exist_ok=True)
            atomic_write(target, path.read_bytes())
        except OSError as e:
            why = f"{target}: {e.strerror or e}"
            self.notify(why, title=t("app_cannot_copy", self.lang), severity="error")
            return None
        self.reload_library()
        self.notify(
            t("app_own_copy", self.lang, deck=deck.id, target=target),
            title=t("app_own_copy_title", self.lang),
            timeout=10,
        )
        return target


def run_app(settings: Settings) -> None:
    """Run the TUI; exit with its status when it ended on an error."""
    import gc

    app = StudyApp(settings)
    # The decks are thousands of long-lived objects without cycles: frozen, the collector
    # stops walking them during the first frames (about 20-30 ms of start-up).
    gc.freeze()
    app.run()
    if app.return_code:
        if app.fatal_error:
            print(app.fatal_error, file=sys.stderr)
        sys.exit(app.return_code)
