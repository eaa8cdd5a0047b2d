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
    "stats_exam": ("Today's reviews and new cards follow the exam plan until {date}.",
                   "오늘의 복습과 새 카드는 {date}까지 시험 계획을 따릅니다."),
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
