using SeqDsl.Runtime.Experiments;
using SeqDsl.Runtime.Sweeps;

namespace SeqDsl.Runtime.Tests.Sweeps;

/// <summary>The leaderboard's order and its CSV, Markdown and console forms, on rows made by hand.</summary>
public sealed class LeaderboardTests
{
    private static LeaderboardRow Row(int index, double? best, string state = "finished", bool higher = false, string monitor = "val_loss") => new()
    {
        Index = index,
        Experiment = "M",
        Settings = new[] { new SweepSetting("training.seed", index.ToString(System.Globalization.CultureInfo.InvariantCulture)) },
        State = state,
        Monitor = monitor,
        HigherIsBetter = higher,
        BestValue = best,
        Test = new[] { new TestMetric("test_mae", best is null ? null : best + 1), new TestMetric("test_mse", double.NaN) },
        BestEpoch = best is null ? null : 2,
        Epochs = best is null ? null : 3,
        Seconds = best is null ? null : 1.5,
    };

    [Fact]
    public void Lower_losses_rank_first_ties_go_to_the_lower_index_and_runs_without_a_figure_follow_by_index()
    {
        var rows = Leaderboard.Rank(new[] { Row(0, 0.5), Row(1, null, "not started"), Row(2, 0.25), Row(3, 0.5), Row(4, null, "incomplete (epoch 1)") });

        Assert.Equal(new[] { 2, 0, 3, 1, 4 }, rows.Select(r => r.Index));
        Assert.Equal(new int?[] { 1, 2, 3, null, null }, rows.Select(r => r.Rank));
    }

    [Fact]
    public void A_monitor_where_higher_is_better_ranks_the_largest_first()
    {
        var rows = Leaderboard.Rank(new[] { Row(0, 0.7, higher: true, monitor: "val_macro_auroc"), Row(1, 0.9, higher: true, monitor: "val_macro_auroc") });

        Assert.Equal(new[] { 1, 0 }, rows.Select(r => r.Index));
    }

    private static Leaderboard Board() =>
        new("Sweep, \"quoted\"", "unused", Leaderboard.Rank(new[] { Row(0, 0.5), Row(1, null, "not started"), Row(2, 0.25) }));

    [Fact]
    public void The_csv_has_one_column_per_swept_key_every_digit_and_empty_cells_where_a_figure_is_undefined()
    {
        string[] lines = LeaderboardFiles.RenderCsv(Board()).TrimEnd('\n').Split('\n');

        Assert.Equal("rank,index,experiment,training.seed,state,best val_loss,test_mae,test_mse,best epoch,epochs,seconds", lines[0]);
        Assert.Equal("1,2,M,2,finished,0.25,1.25,,2,3,1.5", lines[1]);
        Assert.Equal("2,0,M,0,finished,0.5,1.5,,2,3,1.5", lines[2]);
        Assert.Equal(",1,M,1,not started,,,,,,", lines[3]);
        Assert.Equal(4, lines.Length);
        Assert.DoesNotContain("NaN", string.Join("\n", lines));
    }

    [Fact]
    public void The_markdown_and_the_console_table_show_a_dash_where_a_figure_is_undefined_and_never_NaN()
    {
        var board = Board();
        string markdown = LeaderboardFiles.RenderMarkdown(board);
        string table = LeaderboardFiles.RenderTable(board);

        Assert.StartsWith("# Leaderboard: Sweep, \"quoted\"\n\n| rank | index | experiment | training.seed | state | best val_loss | test_mae | test_mse | best epoch | epochs | seconds |\n", markdown);
        Assert.Contains("| 1 | 2 | M | 2 | finished | 0.2500 | 1.2500 | — | 2 | 3 | 1.5 |", markdown);
        Assert.Contains("| — | 1 | M | 1 | not started | — | — | — | — | — | — |", markdown);
        Assert.Contains("Leaderboard: Sweep, \"quoted\" (2 of 3 runs ranked)", table);
        Assert.DoesNotContain("NaN", markdown + table);
    }

    [Fact]
    public void Experiments_with_different_monitors_get_a_monitor_column_and_are_ranked_within_their_monitor()
    {
        var board = new Leaderboard("S", "unused", Leaderboard.Rank(new[] { Row(0, 0.5), Row(1, 0.8, higher: true, monitor: "val_macro_auroc"), Row(2, 0.1) }));

        var header = LeaderboardFiles.Header(board);

        Assert.Contains("monitor", header);
        Assert.Contains("best val", header);
        Assert.Equal(new[] { 2, 0, 1 }, board.Rows.Select(r => r.Index));
    }
}
