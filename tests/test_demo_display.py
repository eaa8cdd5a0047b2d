"""How a demo run is shown: charts (colours, legends, axis titles, ticks), images (scaling,
colour bars), the three verdict states, the CLI's live frame, list parameters and bounds."""

from __future__ import annotations

import io
import json
import re

import pytest
from rich.console import Console
from typer.testing import CliRunner

from studytool.demorun import catalog
from studytool.demorun.chart import PALETTE, draw_charts, nice_ticks, tick_label
from studytool.demorun.params import DemoParamError, parse_param_args
from studytool.demorun.reducer import ChartSpec, RunView, chart_groups
from studytool.demorun.render import image_text, metric_charts, verdict_panel


def text_of(renderable: object, width: int = 100) -> str:
    console = Console(width=width, record=True, file=io.StringIO())
    console.print(renderable)
    return console.export_text()


def ansi_of(renderable: object, width: int = 100) -> str:
    console = Console(width=width, color_system="truecolor", force_terminal=True)
    with console.capture() as cap:
        console.print(renderable)
    return cap.get()


# --------------------------------------------------------------------------- params


def test_list_params_keep_their_commas() -> None:
    assert parse_param_args(["widths=1,64"]) == {"widths": "1,64"}
    assert parse_param_args(["widths=1, 4 ,64,seed=3", "lr=0.1"]) == {
        "widths": "1,4,64",
        "seed": "3",
        "lr": "0.1",
    }
    with pytest.raises(DemoParamError, match="expected NAME=VALUE"):
        parse_param_args(["64,widths=1"])


def test_every_numeric_demo_param_is_bounded_and_a_huge_seed_is_refused() -> None:
    catalog.clear_cache()
    metas = catalog.list_demos()
    assert metas
    for meta in metas:
        for p in meta.params:
            if p.kind in ("int", "float"):
                assert p.min is not None and p.max is not None, (meta.name, p.name)
        if meta.param("seed") is not None:
            with pytest.raises(DemoParamError, match="above the maximum"):
                meta.resolve_params({"seed": str(2**64)})


# --------------------------------------------------------------------------- charts


def test_ticks_are_round_and_short() -> None:
    assert nice_ticks(0, 950) == [0, 200, 400, 600, 800]
    ticks = nice_ticks(0.0, 0.7)  # 3 * 0.2 is 0.6000000000000001 in floats
    step = ticks[1] - ticks[0]
    assert [tick_label(t, step) for t in ticks] == ["0", "0.2", "0.4", "0.6"]
    assert tick_label(6e-12) == "6e-12"
    assert tick_label(123456789.0) == "1.23457e+08"


def _series_run() -> RunView:
    run = RunView()
    run.apply(
        {
            "type": "chart",
            "name": "loss",
            "x": "SGD step",
            "y": "loss (nats)",
            "series": ["plain", "residual"],
        }
    )
    run.apply({"type": "chart", "name": "modes", "x": "step", "y": "modes (of 8)", "series": ["m"]})
    for step in range(0, 100, 10):
        loss = 10.0 ** (-step / 10)  # 1 .. 1e-9: a log axis
        run.apply({"type": "metric", "step": step, "values": {"plain": 2 * loss, "residual": loss}})
        run.apply({"type": "metric", "step": step, "values": {"m": step // 12, "extra": 0.5}})
    return run


def test_each_chart_has_its_series_axis_titles_colours_and_short_ticks() -> None:
    run = _series_run()
    groups = run.chart_groups()
    assert [spec.name for spec, _ in groups] == ["loss", "modes", "metrics"]  # extra: own chart
    assert [name for name, _, _ in groups[0][1]] == ["plain", "residual"]
    out = ansi_of(metric_charts(groups, width=80, height=16))
    plain = re.sub(r"\x1b\[[0-9;]*m", "", out)
    for words in ("SGD step", "loss (nats) (log scale)", "modes (of 8)", "plain", "residual"):
        assert words in plain
    # one colour per series (truecolor escapes of the palette's first two colours)
    for r, g, b in PALETTE[:2]:
        assert f"38;2;{r};{g};{b}m" in out
    loss = re.sub(r"\x1b\[[0-9;]*m", "", ansi_of(metric_charts(groups[:1], width=80, height=16)))
    numbers = re.findall(r"[-+]?\d[\d.e+-]*", loss)
    assert all(len(n.replace(".", "").replace("-", "").split("e")[0]) <= 6 for n in numbers)
    assert "0.000000" not in loss and "1e-09" in loss and "0.001" in loss


def test_a_chart_x_axis_can_be_what_it_is_not_the_step() -> None:
    run = RunView()
    run.apply({"type": "chart", "name": "nms", "x": "IoU threshold", "y": "count", "series": ["k"]})
    for t in range(5, 100, 5):
        run.apply({"type": "metric", "step": t, "x": t / 100, "values": {"k": 20 - t // 5}})
    ((spec, ((name, xs, ys),)),) = run.chart_groups()
    assert name == "k" and ys[-1] == 1
    assert spec.x == "IoU threshold" and xs[0] == 0.05 and xs[-1] == 0.95
    assert run.metrics.latest()[0] == 95  # the step is still the step


def test_draw_charts_stacks_one_quantity_per_axis() -> None:
    import plotext as plt  # type: ignore[import-untyped]

    groups = chart_groups(_series_run().metrics, {"m": ChartSpec("m", "step", "modes", ("m",))})
    plt.main()
    plt.clear_figure()
    plt.plotsize(60, 24)
    draw_charts(plt, groups)
    text = plt.uncolorize(plt.build())
    plt.main()
    plt.clear_figure()
    assert "modes" in text and text.count("└") >= 2  # two boxes: two y axes


# --------------------------------------------------------------------------- images


def test_a_one_pixel_line_survives_shrinking_when_lines_matter() -> None:
    red, grey = [1.0, 0.0, 0.0], [0.2, 0.2, 0.2]
    pixels = [[red if c == 37 else grey for c in range(120)] for _ in range(40)]
    with_lines = ansi_of(image_text(pixels, max_width=40, lines=True))
    averaged = ansi_of(image_text(pixels, max_width=40))
    assert "255;0;0" in with_lines  # the red line is still drawn, in full red
    assert "255;0;0" not in averaged  # averaged into its neighbours


def test_small_maps_are_enlarged_and_heat_maps_have_a_colour_bar() -> None:
    strip = [[float(c) for c in range(30)], [float(-c) for c in range(30)]]  # a 2x30 map
    text = image_text(strip, max_width=64, colormap="viridis")
    rows = text.plain.split("\n")
    assert len(rows) >= 9  # >= 8 rows of picture and the colour bar
    assert rows[-1].startswith("-29 ") and rows[-1].endswith(" 29")
    rgb = image_text([[[0.0, 0.0, 0.0]] * 4] * 4)
    assert "…" not in rgb.plain and len(rgb.plain.split("\n")) == 8  # RGB: no bar


# --------------------------------------------------------------------------- verdicts


def test_the_three_verdict_states_render_with_reason_and_caveats() -> None:
    run = RunView()
    run.apply(
        {
            "type": "verdict",
            "status": "does_not_apply",
            "claim_holds": False,
            "claim": "Trained for 50 steps, X is sharper.",
            "reason": "the net reached only 78% train accuracy",
            "caveats": ["one seed"],
            "numbers": {"train_acc": 0.78},
            "summary": "s",
            "seconds": 1.0,
        }
    )
    assert run.verdict is not None and run.verdict["status"] == "does_not_apply"
    shown = text_of(verdict_panel("fixed claim", run.verdict, None, "cpu"))
    assert "DOES NOT APPLY" in shown and "Trained for 50 steps" in shown
    assert "78% train accuracy" in shown and "caveat: one seed" in shown
    old = RunView()  # a worker without the three states
    old.apply({"type": "verdict", "claim_holds": True, "numbers": {}, "summary": ""})
    assert old.verdict is not None and old.verdict["status"] == "holds"
    assert old.verdict["caveats"] == [] and old.verdict["reason"] == ""


def test_the_cli_exit_status_of_a_claim_that_does_not_apply_is_4() -> None:
    from studytool.cli.demo import EXIT_NOT_APPLICABLE, _exit_code

    assert _exit_code({"status": "does_not_apply", "claim_holds": False}, None) == 4
    assert EXIT_NOT_APPLICABLE == 4
    assert _exit_code({"status": "holds", "claim_holds": True}, None) == 0
    assert _exit_code({"status": "fails", "claim_holds": False}, None) == 1


# --------------------------------------------------------------------------- the CLI frame


def test_the_live_frame_says_starting_then_fits_40_rows() -> None:
    from studytool.cli.demo import LiveView

    meta = catalog.get_demo("optimizers")
    view = LiveView(meta, width=100, height=40)
    assert "starting (loading torch)…" in text_of(view.renderable())
    view.handle({"type": "start", "demo": "optimizers", "device": "cpu", "params": {"steps": 9}})
    view.handle(
        {"type": "chart", "name": "a", "x": "step", "y": "loss", "series": ["s0", "s1", "s2"]}
    )
    view.handle({"type": "chart", "name": "b", "x": "step", "y": "acc", "series": ["t"]})
    for step in range(50):
        view.handle({"type": "progress", "step": step, "total": 50})
        values = {f"s{i}": 1.0 / (step + i + 1) for i in range(3)} | {"t": step / 50}
        view.handle({"type": "metric", "step": step, "values": values})
    for name in ("one", "two"):
        pixels = [[[0.5, 0.5, 0.5]] * 80 for _ in range(56)]
        view.handle({"type": "image", "name": name, "shape": [56, 80, 3], "pixels": pixels})
    view.handle({"type": "log", "message": "a log line"})
    frame = text_of(view.renderable(), width=100).rstrip("\n").split("\n")
    assert len(frame) <= 40
    assert "starting" not in "\n".join(frame) and "loss" in "\n".join(frame)


@pytest.fixture
def cli():
    from studytool.cli import app

    def invoke(*args: str):
        return CliRunner().invoke(app, ["demo", *args])

    return invoke


def test_cuda_without_a_gpu_is_one_clean_line(cli) -> None:
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has a GPU")
    result = cli("run", "param_count", "--quick", "--device", "cuda")
    assert result.exit_code == 2
    text = result.output.strip()
    assert "not available" in text and len(text.splitlines()) == 1, text


def test_a_list_parameter_set_from_the_cli_reaches_the_demo(cli) -> None:
    result = cli(
        "run",
        "universal_approx",
        "--json",
        "--device",
        "cpu",
        "--param",
        "widths=1,2",
        "--param",
        "steps=50",
    )
    events = [json.loads(line) for line in result.output.splitlines() if line.strip()]
    start = next(e for e in events if e["type"] == "start")  # after the questions' line
    assert start["params"]["widths"] == "1,2"
    verdict = events[-2]
    assert verdict["status"] == "does_not_apply" and "widths 1..2" in verdict["reason"]
    assert result.exit_code == 4


def test_the_tui_verdict_box_shows_does_not_apply_with_reason_caveats_and_new_claim() -> None:
    from studytool.tui.widgets.demo_output import verdict_view

    state = RunView()
    verdict = {
        "type": "verdict",
        "status": "does_not_apply",
        "claim_holds": False,
        "claim": "After 3 epochs, the net is over-confident.",
        "reason": "the net is not over-confident",
        "caveats": ["T minimises NLL, not ECE"],
        "numbers": {"temperature": 0.13},
        "summary": "ECE 0.37 -> 0.12",
        "seconds": 0.5,
    }
    state.apply(verdict)
    view = verdict_view(state, shown_claim="The net is over-confident.")
    assert view is not None and view.css_class == "-na"
    shown = text_of(view.body)
    assert "claim DOES NOT APPLY" in shown and "not over-confident" in shown
    assert "After 3 epochs" in shown and "caveat: T minimises NLL" in shown
    same = verdict_view(state, shown_claim=verdict["claim"])
    assert same is not None and "After 3 epochs" not in text_of(same.body)
