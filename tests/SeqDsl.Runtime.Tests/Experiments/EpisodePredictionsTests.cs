using SeqDsl.Runtime.Experiments;

namespace SeqDsl.Runtime.Tests.Experiments;

/// <summary>How ensembles combine members' probabilities (<see cref="EpisodePredictions"/>).</summary>
public class EpisodePredictionsTests
{
    [Theory]
    // Members' odds → the geometric mean of the odds: opposite odds cancel, equal members are their own mean, odds 9
    // (0.9) and 1 (0.5) meet at odds 3.
    [InlineData(0.9, 0.1, 1.0)]
    [InlineData(0.8, 0.8, 4.0)]
    [InlineData(0.9, 0.5, 3.0)]
    [InlineData(0.2, 0.5, 0.5)]
    public void The_log_odds_mean_is_the_geometric_mean_of_the_odds(double a, double b, double odds)
    {
        // 12 decimals: a few roundings of a log and an exp, far above double's 1e-16 and far below any difference an
        // AUROC or a tuned threshold could see.
        Assert.Equal(odds / (1 + odds), EpisodePredictions.LogOddsMean(new[] { a, b }), 12);
    }

    [Fact]
    public void Saturated_probabilities_stay_finite_and_a_0_meeting_a_1_is_even()
    {
        Assert.Equal(0.5, EpisodePredictions.LogOddsMean(new[] { 0.0, 1.0 }), 12);
        double high = EpisodePredictions.LogOddsMean(new[] { 1.0, 1.0 });
        Assert.True(high > 0.999 && high <= 1, $"two certain members give {high}");
        double low = EpisodePredictions.LogOddsMean(new[] { 0.0, 0.3 });
        Assert.True(low > 0 && low < 0.3 && double.IsFinite(low), $"a certain 0 with 0.3 gives {low}");
        Assert.Throws<ArgumentException>(() => EpisodePredictions.LogOddsMean(Array.Empty<double>()));
    }

    [Fact]
    public void It_keeps_the_order_of_records_that_one_member_ranks_and_the_other_ties()
    {
        // A member that ties two records leaves their order to the other member, as a mean of probabilities does.
        var combined = EpisodePredictions.Combine(new[] { new[] { 0.3, 0.3 }, new[] { 0.2, 0.6 } }, EpisodePredictions.LogOddsMean);
        Assert.True(combined[0] < combined[1]);
    }
}
