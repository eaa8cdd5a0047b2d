"""Domain text shared by every front end: labels, cloze sides, and how numbers and times read.

Plain strings only (no Rich): the CLI, the TUI, the exporters and the question sheets all
format the same way.
"""

from __future__ import annotations

from datetime import timedelta

from studytool.content.model import CLOZE_RE

# What the screens say around the cards, English and Korean; LABELS (below) holds them by
# language with the card labels. `key.<binding id>` names a key in the key bar.
CHROME: dict[str, tuple[str, str]] = {
    # grades and the checked answer
    "again": ("Again", "다시"), "hard": ("Hard", "어려움"), "good": ("Good", "좋음"),
    "easy": ("Easy", "쉬움"), "correct": ("✓ Correct", "✓ 정답"), "wrong": ("✗ Wrong", "✗ 오답"),
    "partly": ("◐ Partly right", "◐ 부분 정답"), "you_said": ("you said", "내 답"),
    "belongs_at": ("belongs at {n}", "{n}번 자리"), "no_change": ("no change", "변화 없음"),
    "back_to_front": ("(back → front)", "(뒷면 → 앞면)"), "raw": ("(raw LaTeX)", "(LaTeX 원문)"),
    "a_number": ("A number", "숫자"), "your_answer": ("Your answer", "답"),
    "then_enter": ("then Enter (empty Enter {what})", "입력 후 Enter (빈 Enter: {what})"),
    "shows_answer": ("shows the answer", "정답 보기"), "skips": ("skips", "건너뛰기"),
    # review
    "left_done": ("{left} left · {done} done", "{left}장 남음 · {done}장 완료"),
    "cram_note": ("cram: not scheduled", "벼락치기: 일정에 반영 안 됨"),
    # the summary of a review session
    "session_summary": ("Session summary", "학습 요약"),
    "session_complete": ("Session complete", "학습 완료"),
    "session_ended": ("Session ended", "학습 종료"),
    "cards_reviewed": ("Cards reviewed", "복습한 카드"), "answers": ("Answers", "답한 수"),
    "came_back": ("{n} (some cards came back)", "{n} (다시 나온 카드 포함)"),
    "accuracy": ("Accuracy", "정확도"),
    "not_again": ("({passed} of {n} not Again)", "({n}번 중 {passed}번 '다시' 아님)"),
    "time": ("Time", "시간"), "per_answer": ("Per answer", "답 하나당"),
    "grades": ("Grades", "평가"),
    "due_tomorrow": ("Due tomorrow", "내일 복습"),
    "cram_unchanged": ("Cram session: scheduling was not changed.",
                       "벼락치기: 일정은 바뀌지 않았습니다."),
    "summary_hint": ("Enter: home · r: review what is due now",
                     "Enter: 홈 · r: 지금 복습할 카드 복습"),
    # quiz
    "question_of": ("Question {i} of {n}", "문제 {i}/{n}"),
    "score": ("score", "점수"), "time_left": ("{t} left", "{t} 남음"),
    "knew_prompt": ("y: I knew it    n: I did not", "y: 알았음    n: 몰랐음"),
    "space_shows": ("space: show the answer", "space: 정답 보기"),
    "enter_next": ("Enter: next question", "Enter: 다음 문제"),
    "no_answer": ("– no answer", "– 답 없음"), "right": ("✓ right", "✓ 정답"),
    "wrong_short": ("✗ wrong", "✗ 오답"),
    "quiz_results": ("Quiz results", "퀴즈 결과"), "missed": ("Missed ({n})", "틀린 문제 ({n})"),
    "score_label": ("Score", "점수"), "time_lc": ("time", "시간"),
    "per_question": ("per question", "문제당"), "time_ran_out": ("time ran out", "시간 초과"),
    "not_saved": ("not saved", "저장 안 됨"), "col_question": ("Question", "문제"),
    "col_you": ("You", "내 답"), "col_result": ("Result", "결과"), "col_time": ("Time", "시간"),
    "nothing_missed": ("Nothing missed.", "틀린 문제가 없습니다."), "you": ("you", "내 답"),
    "right_answer": ("right", "정답"),
    "add_missed_hint": ("m: add the missed cards to your next review",
                        "m: 틀린 카드를 다음 복습에 추가"),
    # stats
    "statistics": ("Statistics", "통계"), "computing": ("Computing…", "계산 중…"),
    "due_today": ("Due today", "오늘 복습"), "learning": ("learning", "학습 중"),
    "reviewing": ("review", "복습"), "new_left": ("new left", "남은 새 카드"),
    "streak": ("Streak", "연속"), "longest": ("longest", "최장"),
    "retention": ("retention", "기억률"), "recall_now": ("recall now", "현재 회상률"),
    "cards": ("Cards", "카드"), "new": ("new", "새 카드"), "suspended": ("suspended", "보류"),
    "tab_forecast": ("Due forecast · 30 days", "복습 예정 · 30일"),
    "tab_reviews": ("Reviews per day · {n} days", "일별 복습 · {n}일"),
    "tab_retention": ("Retention per deck", "덱별 기억률"), "tab_quizzes": ("Quizzes", "퀴즈"),
    "plot_forecast": ("Reviews due per day (today includes overdue)",
                      "일별 복습 예정 (오늘은 밀린 카드 포함)"),
    "plot_reviews": ("Reviews per day: {total} in {n} days", "일별 복습: {n}일 동안 {total}번"),
    "plot_retention": ("Retention per deck: % of reviews not Again (number of reviews)",
                       "덱별 기억률: '다시'가 아닌 복습의 % (복습 수)"),
    "plot_no_retention": ("Retention per deck: no reviews of mature cards yet",
                          "덱별 기억률: 아직 익은 카드의 복습이 없습니다"),
    "unit_cards": ("cards", "카드"), "unit_reviews": ("reviews", "복습"),
    "tab_calibration": ("Calibration", "기억 보정"),
    "plot_calibration": ("Calibration over {n} reviews: log loss {log_loss}, RMSE(bins) {rmse}",
                         "기억 보정 (복습 {n}번): 로그 손실 {log_loss}, RMSE(구간) {rmse}"),
    "plot_no_calibration": ("Calibration: no reviews a day or more after the previous one yet",
                            "기억 보정: 이전 복습에서 하루 이상 지난 복습이 아직 없습니다"),
    "cal_as_predicted": ("as predicted", "예측대로"), "cal_you": ("you", "나"),
    "cal_predicted": ("predicted recall % (reviews per bin: {counts})",
                      "예측 회상률 % (구간별 복습 수: {counts})"),
    "cal_recalled": ("recalled %", "회상한 %"),
    # demos
    "demo": ("Demo", "데모"), "metrics": ("Metrics", "지표"), "concept": ("Concept", "개념"),
    "claim": ("Claim", "주장"), "demo_ready": ("Ready: r or Enter runs the demo.",
                                            "준비됨: r 또는 Enter로 데모를 실행합니다."),
    "tab_fields": ("Tab moves between the fields.", "Tab으로 항목 사이를 이동합니다."),
    "no_demo": ("{card} has no demo.", "{card}에는 데모가 없습니다."),
    "from_card": ("from card {card}", "카드 {card}에서"), "device": ("device", "장치"),
    "finished": ("finished", "완료"), "cancelled": ("cancelled", "취소됨"),
    "failed": ("failed", "실패"), "cancelling": ("cancelling…", "취소 중…"),
    "running": ("running", "실행 중"),
    "starting": ("starting (loading torch)…", "시작 중 (torch 불러오는 중)…"),
    "step": ("step", "단계"), "claim_holds": (" claim HOLDS ", " 주장 성립 "),
    "claim_fails": (" claim DOES NOT HOLD ", " 주장 불성립 "), "verdict": ("Verdict", "결과"),
    "claim_na": (" claim DOES NOT APPLY ", " 주장 적용 안 됨 "),
    "verdict_holds": ("HOLDS", "성립"), "verdict_fails": ("DOES NOT HOLD", "불성립"),
    "verdict_na": ("DOES NOT APPLY", "적용 안 됨"),
    "does_not_apply": ("does not apply", "적용 안 됨"), "caveat": ("caveat", "주의"),
    "in_seconds": ("in {seconds} s", "{seconds}초 걸림"),
    "on_device": ("on {device}", "{device}에서"), "charts": ("Charts", "차트"),
    "cancelled_title": ("Cancelled", "취소됨"),
    "demo_stopped": ("The demo was stopped. r runs it again.",
                     "데모를 멈췄습니다. r로 다시 실행합니다."),
    "demo_edit_rerun": ("Edit the parameters and press r to run it again.",
                        "매개변수를 고치고 r을 눌러 다시 실행하세요."),
    "error_title": ("Error", "오류"),
    "latest_metrics": ("Latest metrics · step {step}", "최근 지표 · {step}단계"),
    # predict, then run (the demo screen's questions and their scores; Stats' table)
    "predict_title": ("Predict first", "먼저 예측하세요"),
    "predict_help": ("Commit to an answer before you watch: Enter picks an option, Tab moves on."
                     " A blank answer skips that question.",
                     "보기 전에 답을 정하세요: Enter로 선택, Tab으로 다음 질문. 비워 두면 그 질문은"
                     " 건너뜁니다."),
    "predict_run": ("Run", "실행"), "predict_skip": ("Skip (Esc)", "건너뛰기 (Esc)"),
    "predict_number": ("a number{unit}", "숫자{unit}"),
    # a guess that cannot be read ({guess} is quoted)
    "guess_empty": ("{q}: empty guess", "{q}: 답이 비어 있음"),
    "guess_not_option": ("{q}: {guess} is not an option: give 1-{n} or a-{last}",
                         "{q}: {guess}은(는) 보기에 없음: 1-{n} 또는 a-{last} 중 하나"),
    "guess_not_number": ("{q}: {guess} is not a number", "{q}: {guess}은(는) 숫자가 아님"),
    "guess_not_number_in": ("{q}: {guess} is not a number (in {unit})",
                            "{q}: {guess}은(는) 숫자가 아님 (단위: {unit})"),
    "guess_not_finite": ("{q}: {guess} is not a finite number",
                         "{q}: {guess}은(는) 유한한 숫자가 아님"),
    "predictions": ("Your predictions", "나의 예측"), "question": ("Question", "질문"),
    "your_guess": ("your guess", "나의 예측"), "the_run": ("the run", "실행 결과"),
    "predict_right": ("✓ right", "✓ 맞음"), "predict_wrong": ("✗ wrong", "✗ 틀림"),
    "predict_skipped": ("– skipped", "– 건너뜀"),
    "predict_no_answer": ("– no answer from the run", "– 실행 결과에 답이 없음"),
    "predict_saving": ("saving…", "저장 중…"),
    "predict_saved": ("saved to {card}", "{card}에 기록됨"),
    "predict_not_saved": ("not saved: {why}", "저장 안 됨: {why}"),
    "predict_no_db": ("the progress database is not open",
                      "학습 기록 데이터베이스가 열려 있지 않음"),
    "prediction_accuracy": ("Predictions before demos", "데모 전 예측"),
    "predicted": ("predicted", "예측"), "predicted_right": ("right", "맞음"),
    # not answered, and the quiz's "I was right"
    "not_answered": ("– Not answered: grade yourself (1-4)",
                     "– 답하지 않음: 직접 평가하세요 (1-4)"),
    "grade_yourself": ("Not answered: grade it yourself, 1-4.",
                       "답하지 않음: 1-4로 직접 평가하세요."),
    "i_was_right": ("i: I was right", "i: 내 답이 맞음"),
    "right_overruled": ("✓ right (you said)", "✓ 정답 (내 판정)"),
    "lang_not_saved": ("Language not saved", "언어가 저장되지 않음"),
    # the leech panel
    "leech": ("Leech", "거머리 카드"),
    "leech_forgotten_1": (" was forgotten {n} time: {what}.", ": {n}번 잊음, {what}."),
    "leech_forgotten": (" was forgotten {n} times: {what}.", ": {n}번 잊음, {what}."),
    "leech_suspended": ("suspended", "보류됨"), "leech_tagged": ("tagged leech", "leech 태그 붙음"),
    "leech_no_explain": ("No explanation yet: e adds one.",
                         "아직 해설이 없습니다: e로 추가합니다."),
    "leech_how": ("Rewrite it (e): split it, add a cue, or explain why. Watch its demo (d). "
                  "Keep it in the reviews (k). Browse lists every leech with is:leech.",
                  "다시 쓰기 (e): 나누거나, 단서를 더하거나, 이유를 설명하세요. 데모 보기 (d). "
                  "복습에 남기기 (k). 찾아보기에서 is:leech로 모든 거머리 카드를 봅니다."),
    "leech_kept": ("{card} stays in the reviews", "{card}: 복습에 남습니다"),
    # the settings screen
    "settings": ("Settings", "설정"),
    "set_new_label": ("New cards a day (all decks)", "하루 새 카드 (모든 덱)"),
    "set_new_hint": ("and at most {n} in any one deck (review.new_per_deck)",
                     "덱 하나에서는 최대 {n}장 (review.new_per_deck)"),
    "set_reviews_label": ("Reviews a day", "하루 복습"),
    "set_retention_label": ("Desired retention (0.70–0.99)", "목표 기억률 (0.70–0.99)"),
    "set_lang_label": ("Language", "언어"), "set_theme_label": ("Theme", "테마"),
    "set_new": ("New cards a day", "하루 새 카드"), "set_reviews": ("Reviews a day", "하루 복습"),
    "set_retention": ("Desired retention", "목표 기억률"),
    "set_whole": ("{what}: a whole number, please", "{what}: 정수를 입력하세요"),
    "set_not_negative": ("{what}: not below 0", "{what}: 0 이상이어야 합니다"),
    "set_a_number": ("{what}: a number such as 0.9", "{what}: 0.9 같은 숫자를 입력하세요"),
    "set_between": ("{what}: between {low} and {high}", "{what}: {low}에서 {high} 사이"),
    "set_no_config": ("No config file: the settings apply until you quit.",
                      "설정 파일 없음: 설정은 종료할 때까지 적용됩니다."),
    "set_saved_to": ("Saved to {path}", "저장 위치: {path}"),
    "set_simulating": ("Simulating the workload of each desired retention…",
                       "목표 기억률마다 학습량을 시뮬레이션하는 중…"),
    "set_no_workload_opening": ("No workload table: progress is still opening.",
                                "학습량 표 없음: 진도 데이터베이스를 여는 중입니다."),
    "set_no_workload": ("No workload table: progress is not available.",
                        "학습량 표 없음: 진도 데이터베이스를 쓸 수 없습니다."),
    "set_workload_error": ("No workload table: {error}", "학습량 표 없음: {error}"),
    "set_workload": ("The next {days} days of your {cards} cards ({source}, {seconds} s an "
                     "answer); recall: what you keep at the end",
                     "카드 {cards}장의 앞으로 {days}일 ({source}, 답 하나에 {seconds}초); "
                     "회상률: 끝에 남는 기억"),
    "set_personal": ("your parameters", "내 매개변수"),
    "set_default_params": ("default parameters", "기본 매개변수"),
    "wl_desired": ("desired", "목표"), "wl_reviews": ("reviews/day", "복습/일"),
    "wl_minutes": ("min/day", "분/일"), "wl_recall": ("recall", "회상률"),
    # load balancing, easy days, the workload plot (issue 15)
    "set_balance_label": ("Load balancing", "부하 분산"),
    "set_balance_hint": ("each review goes to the least busy day its interval allows",
                         "복습마다 간격이 허락하는 가장 한가한 날로 갑니다"),
    "set_easy_label": ("Easy days (e.g. sun=0.5)", "쉬는 날 (예: sun=0.5)"),
    "set_easy_hint": ("a weekday's share of a normal day's reviews, 0 to 1: mon tue wed thu "
                      "fri sat sun", "평일 대비 복습 비율, 0–1: mon tue wed thu fri sat sun"),
    "set_easy_days": ("Easy days", "쉬는 날"),
    "set_easy_bad": ("{what}: write day=share, e.g. sun=0.5 sat=0 ({error})",
                     "{what}: 요일=비율 로 쓰세요, 예: sun=0.5 sat=0 ({error})"),
    "plot_workload": ("Minutes a day by desired retention (▶ {now:.2f})",
                      "목표 기억률별 하루 학습 시간 (▶ {now:.2f})"),
    "set_rescheduled": ("Desired retention {value:.2f}: {n} cards rescheduled",
                        "목표 기억률 {value:.2f}: 카드 {n}장 일정 변경"),
    # the optimize hint (Home): new review answers since the last fit
    "optimize_hint": ("{n} new reviews since your parameters were last fitted: run "
                      "`studytool optimize` to fit them to your memory",
                      "마지막 매개변수 맞춤 이후 새 복습 {n}개: `studytool optimize`로 "
                      "내 기억에 맞추세요"),
    "save": ("Save", "저장"), "cancel": ("Cancel", "취소"),
    "settings_saved": ("Settings saved", "설정을 저장했습니다"),
    # Home's panels
    "panel_decks": ("Decks", "덱"), "panel_heatmap": ("Reviews · 26 weeks", "복습 · 26주"),
    "panel_actions": ("Actions", "동작"), "panel_deck": ("Deck", "덱 정보"),
    # sync (the command palette) and Home's last sync time
    "sync": ("Sync", "동기화"), "sync_failed": ("Sync failed", "동기화 실패"),
    "sync_running": ("Syncing with {remote}…", "{remote}와(과) 동기화하는 중…"),
    "sync_busy": ("A sync is already running", "이미 동기화하는 중입니다"),
    "sync_no_remote": ("No sync remote yet: run `studytool sync REMOTE` once (a folder or a"
                       " git URL)",
                       "동기화할 원격 저장소가 아직 없습니다: `studytool sync REMOTE`를"
                       " 한 번 실행하세요 (폴더 또는 git URL)"),
    "sync_done": ("{sent} events sent, {received} received ({cards} cards updated)",
                  "이벤트 {sent}개 보냄, {received}개 받음 (카드 {cards}장 갱신)"),
    "sync_cancelled": ("Sync cancelled; the next sync completes it",
                       "동기화를 취소했습니다. 다음 동기화가 마무리합니다"),
    "sync_damaged": ("Damaged log line skipped", "손상된 기록 줄을 건너뜀"),
    "last_sync": ("Synced {ago} ago", "{ago} 전 동기화"),
    # the key bar, by binding id
    "key.toggle-lang": ("한/En", "한/En"), "key.help": ("Keys", "키"),
    "key.review.show": ("Show answer", "정답 보기"), "key.review.again": ("Again", "다시"),
    "key.review.hard": ("Hard", "어려움"), "key.review.good": ("Good", "좋음"),
    "key.review.easy": ("Easy", "쉬움"), "key.review.confirm": ("Check / grade", "확인 / 평가"),
    "key.review.true": ("True", "참"), "key.review.false": ("False", "거짓"),
    "key.review.move-up": ("Move up", "위로"), "key.review.move-down": ("Move down", "아래로"),
    "key.review.undo": ("Undo", "되돌리기"), "key.review.edit": ("Edit", "편집"),
    "key.review.demo": ("Demo", "데모"), "key.review.raw-latex": ("Raw LaTeX", "LaTeX 원문"),
    "key.review.suspend": ("Suspend", "보류"), "key.review.bury": ("Bury", "덮어두기"),
    "key.review.end": ("End", "끝내기"),
    "key.quiz.true": ("True", "참"), "key.quiz.false": ("False", "거짓"),
    "key.quiz.reveal": ("Show / next", "보기 / 다음"), "key.quiz.knew": ("Knew it", "알았음"),
    "key.quiz.not-knew": ("Did not", "몰랐음"), "key.quiz.confirm": ("Check / next", "확인 / 다음"),
    "key.quiz.move-up": ("Move up", "위로"), "key.quiz.move-down": ("Move down", "아래로"),
    "key.quiz.skip": ("Skip", "건너뛰기"), "key.quiz.end": ("End quiz", "퀴즈 끝내기"),
    "key.stats.forecast": ("Forecast", "예정"), "key.stats.reviews": ("Reviews", "복습"),
    "key.stats.retention": ("Retention", "기억률"), "key.stats.quizzes": ("Quizzes", "퀴즈"),
    "key.stats.calibration": ("Calibration", "기억 보정"), "key.stats.back": ("Back", "뒤로"),
    "key.demo.run": ("Run", "실행"), "key.demo.cancel": ("Cancel run", "실행 취소"),
    "key.demo.close": ("Close", "닫기"), "key.predict.skip": ("Skip", "건너뛰기"),
    "key.summary.home": ("Home", "홈"), "key.summary.review-more": ("Review more", "더 복습"),
    "key.quiz.overrule": ("I was right", "내 답이 맞음"),
    "key.leech.edit": ("Edit now", "지금 편집"), "key.leech.demo": ("Demo", "데모"),
    "key.leech.keep": ("Keep reviewing", "계속 복습"), "key.leech.close": ("Go on", "계속"),
    "key.settings.save": ("Save", "저장"), "key.settings.back": ("Back", "뒤로"),
    # the exam-date plan: its screen and Home's line
    "exam": ("Exam plan", "시험 계획"),
    "exam_date_label": ("Exam date (YYYY-MM-DD)", "시험 날짜 (YYYY-MM-DD)"),
    "exam_minutes_label": ("Minutes a day", "하루 학습 시간 (분)"),
    "exam_target_label": ("Recall on the date at least", "시험날 최소 회상률"),
    "exam_plan": ("Plan", "계획 세우기"), "exam_activate": ("Activate", "적용"),
    "exam_clear": ("Clear", "해제"),
    "exam_col_date": ("date", "날짜"), "exam_col_new": ("new", "새 카드"),
    "exam_col_reviews": ("reviews", "복습"), "exam_col_minutes": ("minutes", "분"),
    "exam_decks": ("Decks in scope (none selected: all)", "범위에 넣을 덱 (선택 없음: 전체)"),
    "exam_planning": ("Planning…", "계획하는 중…"),
    "exam_no_store": ("No plan: the progress database is not open.",
                      "계획 없음: 학습 기록 데이터베이스가 열려 있지 않습니다."),
    "exam_met": ("{cards} cards, {days} days left: expected recall {recall} on {date};"
                 " every card reaches {target}.",
                 "카드 {cards}장, {days}일 남음: {date}의 예상 회상률 {recall};"
                 " 모든 카드가 {target}에 이릅니다."),
    "exam_short": ("{cards} cards, {days} days left: expected recall {recall} on {date};"
                   " {below} cards stay below {target} ({unstarted} new never started).",
                   "카드 {cards}장, {days}일 남음: {date}의 예상 회상률 {recall};"
                   " {below}장이 {target}에 못 미칩니다 (시작 못 한 새 카드 {unstarted}장)."),
    "exam_needed": ("{minutes} minutes a day would meet the goal ({room} with room for"
                    " forgetting).",
                    "하루 {minutes}분이면 목표에 닿습니다 (잊는 카드까지 감안하면 {room}분)."),
    "exam_tight": ("Little room for forgetting: {minutes} minutes a day keep the outcome near"
                   " this plan when you forget some cards.",
                   "잊는 카드를 감안할 여유가 적습니다: 하루 {minutes}분이면 몇 장을 잊어도"
                   " 이 계획에 가깝게 끝납니다."),
    "exam_out_of_reach": ("Even {minutes} minutes a day would not: choose a later date.",
                          "하루 {minutes}분으로도 안 됩니다: 더 늦은 날짜를 고르세요."),
    "exam_bad_date": ("The exam date must be a date (YYYY-MM-DD) after today.",
                      "시험 날짜는 오늘 이후의 날짜(YYYY-MM-DD)여야 합니다."),
    "exam_bad_minutes": ("Minutes a day must be a whole number from {low} to {high}.",
                         "하루 학습 시간은 {low}부터 {high}까지의 정수여야 합니다."),
    "exam_bad_target": ("The recall must be a number from {low} to {high}.",
                        "회상률은 {low}부터 {high}까지의 수여야 합니다."),
    "exam_active": ("Active: the review queue follows the plan until {date}.",
                    "적용 중: {date}까지 복습 대기열이 이 계획을 따릅니다."),
    "exam_none": ("No plan is active: Activate makes the review queue follow this one.",
                  "적용된 계획이 없습니다: 적용을 누르면 복습 대기열이 이 계획을 따릅니다."),
    "exam_activated": ("Exam plan activated", "시험 계획을 적용했습니다"),
    "exam_cleared": ("Exam plan cleared", "시험 계획을 해제했습니다"),
    "exam_home": ("Exam {date}: {days} days left · expected recall on the date {recall}"
                  " (target {target})",
                  "시험 {date}: {days}일 남음 · 그날 예상 회상률 {recall} (목표 {target})"),
    "exam_home_ended": ("The exam plan for {date} has ended: the usual schedule is back"
                        " (clear it in Exam plan, or `studytool plan exam --clear`).",
                        "{date} 시험 계획이 끝났습니다: 평소 일정으로 돌아갑니다"
                        " (시험 계획 화면이나 `studytool plan exam --clear`로 지웁니다)."),
    "key.exam.plan": ("Plan", "계획"), "key.exam.back": ("Back", "뒤로"),
    "pal_sync": ("Sync progress", "진도 동기화"),
    "pal_sync_help": ("Share progress with your other machines (`studytool sync`, git)",
                      "다른 컴퓨터와 진도를 주고받습니다 (`studytool sync`, git)"),
    "pal_cancel_sync": ("Cancel sync", "동기화 취소"),
    "pal_cancel_sync_help": ("The next sync completes it", "다음 동기화가 마저 끝냅니다"),
    "stats_exam": ("Today's reviews and new cards follow the exam plan until {date}.",
                   "오늘의 복습과 새 카드는 {date}까지 시험 계획을 따릅니다."),
    # ---- the rest of the chrome: Home, screen titles, quiz setup, demo list, palette, keys,
    # notices
    # Home
    "act_review_all": ("Review all due cards", "복습할 카드 모두 복습"),
    "act_review_deck": ("Review the selected deck", "선택한 덱 복습"),
    "act_cram": ("Cram the selected deck", "선택한 덱 벼락치기"), "act_quiz": ("Quiz", "퀴즈"),
    "act_browse": ("Browse and search", "찾아보기와 검색"),
    "act_demos": ("Concept demos", "개념 데모"), "act_stats": ("Statistics", "통계"),
    "act_keys": ("Keys", "키"),
    "col_deck": ("Deck", "덱"), "col_new": ("New", "새"), "col_learn": ("Learn", "학습"),
    "col_due": ("Due", "복습"),
    "home_no_progress": ("No progress to show.", "보여 줄 학습 기록이 없습니다."),
    "home_opening": ("Opening your progress…", "학습 기록을 여는 중…"),
    "home_read_only": ("⚠ Read-only: ", "⚠ 읽기 전용: "),
    "home_read_only_why": ("the progress database cannot be opened. Browsing works.",
                           "학습 기록 데이터베이스를 열 수 없습니다. 찾아보기는 됩니다."),
    "home_counting": ("Counting what is due…", "복습할 카드를 세는 중…"),
    "home_today": ("Today ", "오늘 "), "home_to_study": (" to study: ", "장 학습: "),
    "home_new": ("{n} new", "새 카드 {n}"), "home_learning": ("{n} learning", "학습 중 {n}"),
    "home_due": ("{n} due", "복습 {n}"), "home_streak": ("Streak ", "연속 "),
    "home_day": ("{n} day", "{n}일"), "home_days": ("{n} days", "{n}일"),
    "home_best": (" (best {n})", " (최장 {n}일)"),
    "home_all_done": ("   All done for today ✓", "   오늘 학습 끝 ✓"),
    "home_all_decks": ("All decks", "모든 덱"), "home_errors": ("{n} error(s)", "오류 {n}개"),
    "home_file_errors": ("{name}: this file has errors; Enter opens it.",
                         "{name}: 이 파일에 오류가 있습니다. Enter로 엽니다."),
    "home_n_decks": ("{n} decks", "덱 {n}개"), "home_n_cards": ("{n} cards", "카드 {n}장"),
    "home_yours": ("{n} of yours", "내 덱 {n}개"),
    "home_all_hint": ("Enter reviews everything due; c crams, t quizzes all decks.",
                      "Enter: 복습할 카드 모두 복습 · c: 벼락치기 · t: 모든 덱 퀴즈"),
    "home_deck_cards": ("{n} cards: {kinds}", "카드 {n}장: {kinds}"),
    "home_tags": ("tags: {tags}", "태그: {tags}"), "home_replaces": ("replaces {name}",
                                                                 "{name} 대신 사용"),
    "home_and_more": ("… and {n} more", "… 외 {n}개"),
    "home_run_check": ("run `studytool check` for the details",
                       "자세한 내용은 `studytool check`로 확인하세요"),
    "home_deck_has_errors": ("Deck '{name}' has errors", "덱 '{name}'에 오류가 있습니다"),
    # screen titles and the review's notices
    "title_review": ("Review · {deck}", "복습 · {deck}"),
    "title_cram": ("Cram · {deck}", "벼락치기 · {deck}"), "title_quiz": ("Quiz", "퀴즈"),
    "title_quiz_of": ("Quiz · {deck}", "퀴즈 · {deck}"), "title_demos": ("Demos", "데모"),
    "all_decks": ("all decks", "모든 덱"), "review": ("Review", "복습"),
    "grade": ("Grade", "평가"), "all_done": ("All done", "모두 끝"),
    "nothing_to_review": ("Nothing to review in {deck} right now.",
                          "{deck}: 지금 복습할 카드가 없습니다."),
    "n_due_tomorrow": ("{n} due tomorrow.", "내일 {n}장 복습."),
    "not_saved_why": ("Not saved: {why}", "저장 안 됨: {why}"),
    "cannot_undo": ("Cannot undo: {why}", "되돌릴 수 없음: {why}"),
    "nothing_to_undo": ("Nothing to undo in this session.", "이번 학습에서 되돌릴 것이 없습니다."),
    "undid": ("Undid the grade of {card}", "{card}의 평가를 되돌렸습니다"),
    "review_suspended": ("Suspended (unsuspend it in Browse): {card}",
                         "보류함 (찾아보기에서 해제): {card}"),
    "review_buried": ("Buried until tomorrow: {card}", "내일까지 덮어둠: {card}"),
    "time_up": ("Time is up.", "시간이 다 됐습니다."),
    "missed_added": ("{n} card(s) will come first in your next review.",
                     "다음 복습에서 카드 {n}장이 먼저 나옵니다."),
    # the quiz setup form
    "setup_decks": ("Decks (none = all)", "덱 (선택 없음 = 전체)"),
    "setup_tags": ("Tags (comma-separated, any)", "태그 (쉼표로 구분, 하나라도)"),
    "setup_tags_hint": ("e.g. attention, cnn", "예: attention, cnn"),
    "setup_questions": ("Questions", "문제 수"), "setup_time": ("Time limit", "제한 시간"),
    "setup_time_hint": ("none, or 20m", "없음, 또는 20m"),
    "setup_feedback": ("Feedback", "채점 결과"),
    "setup_immediate": ("after each answer", "답할 때마다"), "setup_at_end": ("at the end", "끝에"),
    "setup_fresh": ("Fresh: uniform, ignore progress", "새로: 학습 기록 무시, 고르게 출제"),
    "setup_start": ("Start quiz (ctrl+s)", "퀴즈 시작 (ctrl+s)"),
    "setup_no_tag": ("No card has the tag '{tag}'.", "'{tag}' 태그가 붙은 카드가 없습니다."),
    "setup_bad_n": ("Questions: a number from 1 to {max}.", "문제 수: 1에서 {max} 사이의 숫자."),
    "setup_bad_time": ("Time limit: {why}.",
                       "제한 시간: 20m, 90s, 1h30m처럼 입력하세요 ({why})."),
    "setup_store_error": ("Progress database: {why}", "학습 기록 데이터베이스: {why}"),
    "setup_no_cards": ("No cards match these decks and tags.",
                       "이 덱과 태그에 맞는 카드가 없습니다."),
    # the demo list
    "demos_filter": ("Filter demos…", "데모 거르기…"),
    "demos_count": ("Demos · {shown} of {all}", "데모 · {all}개 중 {shown}개"),
    "demos_hint": ("↑↓ choose · Enter opens", "↑↓ 선택 · Enter 열기"),
    "demos_none": ("no demo matches the filter", "조건에 맞는 데모가 없습니다"),
    # the command palette: each command and its help line
    "pal_review": ("Review all due cards", "복습할 카드 모두 복습"),
    "pal_review_help": ("Today's queue, all decks", "오늘의 복습, 모든 덱"),
    "pal_browse": ("Browse cards", "카드 찾아보기"),
    "pal_browse_help": ("Search every card; filters, preview, edit",
                        "모든 카드 검색; 필터, 미리 보기, 편집"),
    "pal_stats": ("Statistics", "통계"),
    "pal_stats_help": ("Forecast, reviews per day, retention", "복습 예정, 일별 복습, 기억률"),
    "pal_settings": ("Settings", "설정"),
    "pal_settings_help": ("New cards and reviews a day, retention, language, theme (Home: o)",
                          "하루 새 카드와 복습 수, 기억률, 언어, 테마 (홈: o)"),
    "pal_quiz": ("Quiz", "퀴즈"), "pal_quiz_help": ("A quiz over all decks", "모든 덱 퀴즈"),
    "pal_keys": ("Keys of this screen", "이 화면의 키"),
    "pal_keys_help": ("Show the bindings (also: ?)", "키 목록 보기 (?로도)"),
    "pal_lang": ("Switch card language (한국어/English)", "카드 언어 바꾸기 (한국어/English)"),
    "pal_lang_help": ("Also: l", "l로도"),
    "pal_reload": ("Reload decks from disk", "덱 파일 다시 읽기"),
    "pal_reload_help": ("Read the deck files again", "디스크의 덱 파일을 다시 읽습니다"),
    "pal_home": ("Home", "홈"), "pal_home_help": ("Back to the deck list", "덱 목록으로"),
    "pal_demos": ("Demos", "데모"),
    "pal_demos_help": ("Every live demo, filtered as you type", "모든 데모, 입력하며 거르기"),
    "pal_exam": ("Exam plan", "시험 계획"),
    "pal_exam_help": ("Plan each day up to an exam date; the review queue can follow it",
                      "시험일까지 하루하루 계획; 복습 순서가 계획을 따를 수 있습니다"),
    "pal_review_deck": ("Review deck: {deck}", "덱 복습: {deck}"),
    "pal_cram_deck": ("Cram deck: {deck}", "덱 벼락치기: {deck}"),
    "pal_cram_help": ("No scheduling", "일정에 반영 안 됨"),
    "pal_quiz_deck": ("Quiz deck: {deck}", "덱 퀴즈: {deck}"),
    "pal_demo": ("Demo: {name}", "데모: {name}"),
    # the key bar and the help screen, by binding id
    "key.quit": ("Quit", "종료"),
    "key.home.review-all": ("Review all", "모두 복습"), "key.home.cram": ("Cram", "벼락치기"),
    "key.home.quiz": ("Quiz", "퀴즈"), "key.home.browse": ("Browse", "찾아보기"),
    "key.home.demos": ("Demos", "데모"), "key.home.stats": ("Stats", "통계"),
    "key.home.settings": ("Settings", "설정"), "key.home.quit": ("Quit", "종료"),
    "key.decks.select": ("Review deck", "덱 복습"), "key.decks.up": ("Up", "위"),
    "key.decks.down": ("Down", "아래"), "key.decks.first": ("First", "처음"),
    "key.decks.last": ("Last", "마지막"),
    "key.quiz-setup.start": ("Start", "시작"), "key.quiz-setup.back": ("Back", "뒤로"),
    "key.quiz-results.add-missed": ("Add missed to review", "틀린 카드 복습에 추가"),
    "key.quiz-results.again": ("New quiz", "새 퀴즈"), "key.quiz-results.home": ("Home", "홈"),
    "key.demos.back": ("Back", "뒤로"), "key.demos.next": ("Next", "다음"),
    "key.demos.previous": ("Previous", "이전"), "key.help.close": ("Close", "닫기"),
    "key.browse.search": ("Search", "검색"), "key.browse.edit": ("Edit", "편집"),
    "key.browse.suspend": ("Suspend", "보류"), "key.browse.demo": ("Demo", "데모"),
    "key.browse.new": ("New", "새 카드"), "key.browse.raw-latex": ("LaTeX", "LaTeX"),
    "key.browse.clear": ("Clear filters", "필터 지우기"), "key.browse.back": ("Back", "뒤로"),
    "key.editor.save": ("Save", "저장"), "key.editor.new": ("New card", "새 카드"),
    "key.editor.external": ("$EDITOR", "$EDITOR"),
    "key.editor.next-problem": ("Next problem", "다음 문제점"),
    "key.editor.close": ("Close", "닫기"),
    "key.dialog.cancel": ("Cancel", "취소"), "key.pick-type.cancel": ("Cancel", "취소"),
    "key.review.order-up": ("Up", "위"), "key.review.order-down": ("Down", "아래"),
    "key.review.page-up": ("Scroll up", "위로 스크롤"),
    "key.review.page-down": ("Scroll down", "아래로 스크롤"),
    "key.quiz.order-up": ("Up", "위"), "key.quiz.order-down": ("Down", "아래"),
    "key.review.choice": ("Pick a choice", "보기 고르기"),
    "key.quiz.pick": ("Pick a choice", "보기 고르기"),
    "key.palette": ("palette", "명령"),
    # the help screen
    "help_keys_of": ("Keys · {screen}", "키 · {screen}"),
    "help_close": ("esc to close", "esc: 닫기"),
    "help_palette": ("ctrl+p opens the command palette with every action. Keys can be remapped in"
                     " config.toml under [keymap] (binding id = key).",
                     "ctrl+p: 모든 동작이 있는 명령 팔레트. 키는 config.toml의 [keymap]에서 바꿀 수"
                     " 있습니다 (binding id = 키)."),
    "help_col_key": ("Key", "키"), "help_col_does": ("Does", "동작"), "help_col_id": ("Id", "Id"),
    # the app's own notices (the error text they carry stays as it came)
    "app_deck_problems": ("{n} problem(s) in {files} deck file(s); the other decks work. Run"
                          " `studytool check` for the details.",
                          "덱 파일 {files}개에 문제 {n}개; 다른 덱은 쓸 수 있습니다. 자세한 내용은"
                          " `studytool check`로 확인하세요."),
    "app_deck_errors": ("Deck errors", "덱 오류"),
    "app_press_to_quit": ("Press {press} to quit the app", "{press}를 누르면 종료합니다"),
    "app_quit_q": ("Do you want to quit?", "종료할까요?"),
    "app_goes_on": ("The app goes on; details in {where}", "앱은 계속됩니다. 자세한 내용: {where}"),
    "app_went_wrong": ("Something went wrong", "문제가 생겼습니다"),
    "app_browsing_works": ("Browsing works; reviewing needs the database.",
                           "찾아보기는 됩니다. 복습에는 데이터베이스가 필요합니다."),
    "app_db_unavailable": ("Progress database unavailable", "학습 기록 데이터베이스를 쓸 수 없음"),
    "app_db_opening": ("The progress database is still opening…",
                       "학습 기록 데이터베이스를 여는 중…"),
    "app_no_db": ("no progress database", "학습 기록 데이터베이스 없음"),
    "app_read_only": ("Read-only", "읽기 전용"), "app_db": ("Progress database", "학습 기록"),
    "app_decks_loaded": ("{n} decks loaded", "덱 {n}개 불러옴"),
    "app_n_problems": ("; {n} problem(s)", "; 문제 {n}개"),
    "app_cannot_copy": ("Cannot copy", "복사할 수 없음"),
    "app_own_copy": ("'{deck}' is a built-in deck: your edits go to a copy, {target}, which"
                     " replaces it from now on (`studytool decks` lists it).",
                     "'{deck}'은(는) 기본 덱입니다: 편집 내용은 사본 {target}에 저장되고, 앞으로는"
                     " 사본이 기본 덱을 대신합니다 (`studytool decks`로 확인)."),
    "app_own_copy_title": ("Editing your own copy", "내 사본 편집"),
    # Browse
    "title_browse": ("Browse", "찾아보기"),
    "browse_search_hint": ("Search: words in English or 한국어, deck: tag: type: is:due -not",
                           "검색: 영어나 한국어 단어, deck: tag: type: is:due -단어(제외)"),
    "browse_all_decks": ("All decks", "모든 덱"), "browse_all_tags": ("All tags", "모든 태그"),
    "browse_all_types": ("All types", "모든 유형"),
    "browse_any_status": ("Any status", "모든 상태"),
    "browse_count": ("{shown} of {all} cards", "카드 {all}장 중 {shown}장"),
    "browse_broken": ("⚠ {n} deck file(s) failed to load", "⚠ 덱 파일 {n}개를 불러오지 못함"),
    "browse_opening": ("opening…", "여는 중…"), "browse_status": ("status: {why}", "상태: {why}"),
    "browse_no_match": ("No card matches.", "맞는 카드가 없습니다."),
    "browse_no_card": ("No card selected.", "선택한 카드가 없습니다."),
    "browse_suspended": ("Suspended {card}", "{card} 보류함"),
    "browse_unsuspended": ("Unsuspended {card}", "{card} 보류 해제"),
    "meta_deck": ("Deck", "덱"), "meta_file": ("File", "파일"), "meta_tags": ("Tags", "태그"),
    "meta_demo": ("Demo", "데모"), "meta_press_d": ("press d", "d 누르기"),
    "meta_progress": ("Progress", "진도"), "meta_reverse": ("Reverse", "역방향"),
    "meta_not_in_db": ("not in the progress database yet", "아직 학습 기록에 없음"),
    "meta_buried": ("buried until tomorrow", "내일까지 덮어둠"),
    "meta_in": ("in {t}", "{t} 후"), "meta_now": ("now", "지금"),
    "meta_due": ("due {when} ({soon})", "복습 {when} ({soon})"),
    "meta_stability": ("stability {days}d", "안정성 {days}일"),
    "meta_difficulty": ("difficulty {d}", "난이도 {d}"),
    # the demo screen's form
    "demo_run_button": ("▶ Run", "▶ 실행"),
    "demo_quick_help": ("small, fast settings", "작고 빠른 설정"),
    "demo_bad_param": ("Bad parameter", "잘못된 매개변수"),
    # the deck editor's notices and questions
    "title_editor": ("Editor", "편집기"),
    "ed_line_endings": ("The file mixes line endings; it will be saved with one kind throughout.",
                        "파일에 여러 종류의 줄 끝이 섞여 있습니다. 한 종류로 통일해 저장합니다."),
    "ed_cannot_open": ("Cannot open", "열 수 없음"),
    "ed_not_utf8": ("{path}: not UTF-8 (byte {byte}); convert it first",
                    "{path}: UTF-8이 아닙니다 ({byte}번째 바이트). 먼저 변환하세요"),
    "ed_no_card": ("Card '{card}' is not in this file.", "카드 '{card}'는 이 파일에 없습니다."),
    "ed_no_problems": ("No problems.", "문제가 없습니다."),
    "ed_not_saved": ("Not saved: {n} problem(s).", "저장 안 됨: 문제 {n}개."),
    "ed_save_refused": ("Save refused", "저장 거부"),
    "ed_changed_on_disk": ("Changed on disk", "디스크에서 바뀜"),
    "ed_changed_why": ("{name} was changed by another program since it was opened.",
                       "{name}: 연 뒤에 다른 프로그램이 파일을 바꿨습니다."),
    "ed_overwrite": ("Overwrite it", "덮어쓰기"),
    "ed_reload": ("Reload (lose my edits)", "다시 읽기 (내 편집은 사라짐)"),
    "ed_saved": ("Saved {path}", "저장함: {path}"),
    "ed_could_not_save": ("Could not save", "저장하지 못함"),
    "ed_read_only": ("Read-only deck", "읽기 전용 덱"),
    "ed_read_only_why": ("{path} cannot be written. Save your version as {target}? It will be"
                         " used instead of this deck from now on.",
                         "{path}에 쓸 수 없습니다. 내 버전을 {target}에 저장할까요? 앞으로는 이 덱"
                         " 대신 그 사본을 씁니다."),
    "ed_save_copy": ("Save my copy", "내 사본 저장"),
    "ed_cannot_add": ("Cannot add a card: {why}", "카드를 추가할 수 없음: {why}"),
    "ed_new_card": ("New {type} card '{card}': fill in the empty texts.",
                    "새 {type} 카드 '{card}': 빈 칸을 채우세요."),
    "ed_set_editor": ("Set $EDITOR (or $VISUAL) to use your own editor.",
                      "다른 편집기를 쓰려면 $EDITOR (또는 $VISUAL)를 설정하세요."),
    "ed_cannot_run": ("Cannot run {cmd}: {why}", "{cmd}을(를) 실행할 수 없음: {why}"),
    "ed_no_suspend": ("The app cannot hand the terminal over here.",
                      "여기서는 터미널을 넘겨줄 수 없습니다."),
    "ed_read_back": ("Could not read the edited text back: {why}",
                     "편집한 텍스트를 다시 읽지 못함: {why}"),
    "ed_exit_status": ("{cmd} exited with status {code}: its changes were not taken.",
                       "{cmd}이(가) 상태 {code}로 끝났습니다: 변경 내용을 가져오지 않았습니다."),
    "ed_no_changes": ("No changes.", "바뀐 것이 없습니다."),
    "ed_fix_here": ("Fix them here or press ^o again.", "여기서 고치거나 ^o를 다시 누르세요."),
    "ed_unsaved": ("Unsaved changes", "저장하지 않은 변경"),
    "ed_save_changes_q": ("Save your changes to {name}?", "{name}에 변경 내용을 저장할까요?"),
    "ed_discard": ("Discard", "버리기"),
    "ed_valid": ("✓ valid", "✓ 올바름"), "ed_card": ("{n} card", "카드 {n}장"),
    "ed_cards": ("{n} cards", "카드 {n}장"), "ed_problem": ("✗ {n} problem", "✗ 문제 {n}개"),
    "ed_problems": ("✗ {n} problems", "✗ 문제 {n}개"),
    "ed_save_off": ("Save is off", "저장할 수 없음"), "ed_checking": ("… checking", "… 검사 중"),
    "new_card_in": ("New card in {deck}: which type?", "{deck}에 새 카드: 어떤 유형?"),
    "type_basic": ("front and back", "앞면과 뒷면"),
    "type_reversed": ("front and back, reviewed both ways", "앞면과 뒷면, 양방향 복습"),
    "type_cloze": ("text with {{c1::blanks}}", "{{c1::빈칸}}이 있는 글"),
    "type_mcq": ("one right choice", "정답 하나"),
    "type_multi": ("several right choices", "정답 여러 개"),
    "type_truefalse": ("a statement, true or false", "참/거짓 문장"),
    "type_typed": ("type the answer", "답 입력"),
    "type_numeric": ("a number, with a tolerance", "숫자, 허용 오차 포함"),
    "type_order": ("put items in order", "항목 순서 맞추기"),
    # Stats: the quiz history
    "qt_none": ("No quizzes yet: press t on Home to take one.",
                "아직 퀴즈가 없습니다: 홈에서 t를 눌러 풀어 보세요."),
    "qt_pts": ("{n} pts", "{n}점"), "qt_average": ("average", "평균"), "qt_best": ("best", "최고"),
    "qt_last5": ("last 5 vs 5 before", "최근 5회 대 그 전 5회"), "qt_recent": ("Recent", "최근"),
    "qt_oldest": ("oldest → newest", "오래된 것 → 최근"),
    "qt_scope": ("{n} quizzes · average {average} · last {last}",
                 "퀴즈 {n}회 · 평균 {average} · 최근 {last}"),
    "qt_most_missed": ("Most missed", "가장 많이 틀림"),
    # Home's heatmap: weekday rows (Monday first, comma-separated), months, the legend
    "hm_days": ("Mon,,Wed,,Fri,,Sun", "월,,수,,금,,일"),
    "hm_months": ("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec",
                  "1월 2월 3월 4월 5월 6월 7월 8월 9월 10월 11월 12월"),
    "hm_less": ("less", "적음"), "hm_more": ("more", "많음"),
    "stats_db_opening": ("No statistics: the progress database is still opening.",
                         "통계 없음: 학습 기록 데이터베이스를 여는 중입니다."),
    "stats_no_db": ("No statistics: the progress database is {why}.",
                    "통계 없음: 학습 기록 데이터베이스를 쓸 수 없습니다 ({why})."),
    "stats_unavailable": ("not available", "원인 불명"),
    # Browse's card list: column headers, the short status of a row, the status filter
    "list_status": ("Status", "상태"), "list_deck": ("Deck", "덱"), "list_card": ("Card", "카드"),
    "list_type": ("Type", "유형"), "list_question": ("Question", "질문"),
    "cell_susp": ("susp", "보류"), "cell_buried": ("buried", "덮음"),
    "cell_draft": ("draft", "초안"),
    "cell_due": ("due", "복습"), "cell_new": ("new", "새"), "cell_learn": ("learn", "학습"),
    "status.new": ("New", "새 카드"), "status.learning": ("Learning", "학습 중"),
    "status.due": ("Due", "복습할 카드"), "status.review": ("Review", "나중 복습"),
    "status.suspended": ("Suspended", "보류"), "status.buried": ("Buried", "덮어둠"),
    "status.draft": ("Draft", "초안"), "status.leech": ("Leech", "거머리 카드"),
    # the help screen's notes, by screen (a screen's HELP names its key)
    "help.review": ("Space shows the answer; 1-4 grade (the label shows the next interval); Enter"
                    " takes the proposed grade.\nChoice cards: 1-9 or a-e pick (multi: toggle,"
                    " then Enter). True/false: t / f. Typed and numeric: type, then Enter (empty"
                    " Enter shows the answer, not answered: grade it yourself). Order: up/down"
                    " select, shift+up/down or [ ] move, Enter checks.\nWhile choosing, a-e are the"
                    " choices (b, d, e mean bury, demo, edit again once the answer is shown).",
                    "Space: 정답 보기; 1-4: 평가 (버튼에 다음 간격이 보입니다); Enter: 제안된 평가."
                    "\n선택형 카드: 1-9 또는 a-e로 선택 (복수 정답: 고른 뒤 Enter). 참/거짓: t / f."
                    " 입력형과 숫자형: 입력 후 Enter (빈 Enter는 정답을 보여 주며 답하지 않은"
                    " 것이니 직접 평가하세요). 순서 맞추기: 위/아래로 선택, shift+위/아래 또는"
                    " [ ]로 이동, Enter로 확인.\n고르는 동안 a-e는 보기입니다 (정답이 보이면"
                    " b, d, e는 다시 덮어두기, 데모, 편집)."),
    "help.quiz": ("Choices: 1-9 or a-e (several answers: toggle, then Enter). True/false: t / f."
                  " Typed and numeric: type, then Enter (empty Enter skips). Order: up/down select,"
                  " shift+up/down or [ ] move, Enter checks. Self-graded: space shows the answer,"
                  " then y (knew it) or n. s skips; Enter or space goes on after feedback; i (I was"
                  " right) counts a wrong answer as right; escape ends the quiz.",
                  "보기: 1-9 또는 a-e (여러 답: 고른 뒤 Enter). 참/거짓: t / f. 입력형과 숫자형:"
                  " 입력 후 Enter (빈 Enter는 건너뛰기). 순서 맞추기: 위/아래로 선택,"
                  " shift+위/아래 또는 [ ]로 이동, Enter로 확인. 자가 채점: space로 정답을 보고"
                  " y (알았음) 또는 n. s: 건너뛰기; 채점 뒤 Enter나 space로 다음; i (내 답이"
                  " 맞음): 틀린 답을 정답으로; escape: 퀴즈 끝내기."),
    "help.quiz-setup": ("Pick decks (none = all), optional tags, the number of questions, an"
                        " optional time limit (20m, 90s, 1h30m) and when to see whether you were"
                        " right.",
                        "덱 (선택 없음 = 전체), 태그 (선택), 문제 수, 제한 시간 (선택: 20m, 90s,"
                        " 1h30m), 채점 결과를 볼 때를 고르세요."),
    "help.demo": ("Edit the parameters on the left (Tab moves between them), then r or Enter runs"
                  " the demo in a worker process; r during a run starts it again with the form's"
                  " values. Esc cancels a running demo; Esc again closes the screen.\n"
                  "Quick switches the parameters to their small, fast values; device auto picks"
                  " cuda, then mps, then cpu.\n"
                  "A demo with questions asks you to predict its outcome before its first run"
                  " with a set of values (Esc skips); after the verdict your guesses are scored"
                  " against the run, saved, and shown next to what happened.",
                  "왼쪽에서 매개변수를 고친 뒤 (Tab으로 이동) r이나 Enter로 데모를"
                  " 작업 프로세스에서 실행합니다. 실행 중에 r을 누르면 폼의 값으로 다시"
                  " 시작합니다. Esc는 실행 중인 데모를 취소하고, 한 번 더 누르면 화면을 닫습니다.\n"
                  "Quick은 매개변수를 작고 빠른 값으로 바꿉니다. device auto는 cuda, mps, cpu"
                  " 순으로 고릅니다.\n"
                  "질문이 있는 데모는 한 값 조합으로 처음 실행하기 전에 결과를 예측하게 합니다"
                  " (Esc로 건너뜀). 판정 뒤에 예측을 실행 결과와 비교해 채점하고, 저장하고,"
                  " 실제 결과 옆에 보여 줍니다."),
    "help.exam": ("Type the exam date, the minutes a day and the recall to reach, and choose the"
                  " decks (space; none: all); Enter or ctrl+r plans. Activate: the review queue"
                  " follows the plan until the date. Clear stops it.",
                  "시험 날짜, 하루 학습 시간(분), 도달할 회상률을 입력하고 덱을 고릅니다 (스페이스;"
                  " 아무것도 고르지 않으면 전체). Enter나 ctrl+r로 계획합니다. 활성화하면 그"
                  " 날짜까지 복습 대기열이 계획을 따릅니다. 지우기로 멈춥니다."),
    "help.settings": ("Tab moves between the fields; ctrl+s (or Save) writes config.toml and"
                      " applies the settings; Escape leaves without saving.",
                      "Tab으로 칸 사이를 옮깁니다. ctrl+s(또는 저장)는 config.toml에 쓰고 설정을"
                      " 적용합니다. Escape는 저장하지 않고 나갑니다."),
    "help.stats": ("1-5 switch between the due forecast, reviews per day, retention per deck, the"
                   " quiz history (with your predictions before demo runs, per concept) and your"
                   " memory calibration (predicted recall against what happened).",
                   "1-5: 복습 예정, 일별 복습, 덱별 기억률, 퀴즈 기록 (개념별 데모 전 예측 포함),"
                   " 기억 보정 (예측한 회상률과 실제 결과) 사이를 오갑니다."),
    "help.demos": ("Type to filter (name, title, concept, claim); up/down choose; Enter opens the"
                   " demo.",
                   "입력해서 거르기 (이름, 제목, 개념, 주장); 위/아래로 선택; Enter로 데모를"
                   " 엽니다."),
}  # fmt: skip

LABELS = {
    "en": {"answer": "Answer", "explain": "Why", "errata": "Your note said", "fix": "Correct",
           "source": "Source", "formula": "Formula", "true": "True", "false": "False",
           "ref": "Reference"} | {k: en for k, (en, _ko) in CHROME.items()},
    "ko": {"answer": "정답", "explain": "해설", "errata": "노트에는 이렇게 적혀 있었습니다",
           "fix": "바로잡기", "source": "출처", "formula": "수식", "true": "참 (O)",
           "false": "거짓 (X)", "ref": "참고"} | {k: ko for k, (_en, ko) in CHROME.items()},
}  # fmt: skip

LETTERS = "abcdefghijklmnopqrstuvwxyz"


def t(key: str, lang: str, **values: object) -> str:
    """The label `key` in `lang` (English where Korean has none), with `{name}`s filled in."""
    text = LABELS.get(lang, LABELS["en"]).get(key) or LABELS["en"][key]
    return text.format(**values) if values else text


def cloze_front(text: str) -> str:
    """Blanks as [...] or [hint]."""
    return CLOZE_RE.sub(lambda m: f"[{m.group(3) or '...'}]", text)


def cloze_back(text: str) -> str:
    return CLOZE_RE.sub(lambda m: m.group(2), text)


def label(i: int) -> str:
    """Display label of the i-th choice: a, b, c, ..."""
    return LETTERS[i] if i < len(LETTERS) else str(i + 1)


def format_number(x: float) -> str:
    """262144 -> '262,144' (never '2.6e+05'); 0.001 -> '0.001'."""
    if x == int(x) and abs(x) < 1e15:
        return f"{int(x):,}"
    return f"{x:.6g}"


def clock_text(seconds: float) -> str:
    seconds = max(0, int(seconds + 0.999))
    minutes, s = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{s:02d}" if hours else f"{minutes}:{s:02d}"


def format_interval(delta: timedelta) -> str:
    """Anki-style short interval: <1m, 10m, 3h, 4d, 2.5mo, 1.2y."""
    minutes = delta.total_seconds() / 60
    if minutes < 1:
        return "<1m"
    if minutes < 60:
        return f"{minutes:.0f}m"
    hours = minutes / 60
    if hours < 24:
        return f"{hours:.0f}h"
    days = hours / 24
    if days < 30:
        return f"{days:.0f}d"
    if days < 365:
        months = days / 30.4
        return f"{months:.1f}mo".replace(".0mo", "mo")
    return f"{days / 365:.1f}y".replace(".0y", "y")


def format_duration(ms: int) -> str:
    if ms < 10_000:
        return f"{ms / 1000:.1f}s"
    seconds = round(ms / 1000)
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    if hours:
        return f"{hours}h {minutes:02d}m"
    return f"{minutes}m {seconds:02d}s" if minutes else f"{seconds}s"
