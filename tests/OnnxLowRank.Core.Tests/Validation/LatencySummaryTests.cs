using OnnxLowRank.Core.Validation;

namespace OnnxLowRank.Core.Tests.Validation;

public class LatencySummaryTests
{
    [Test]
    public void Percentiles_interpolate_like_numpy()
    {
        // numpy.percentile([5, 1, 3, 2, 4], [10, 50, 90]) = [1.4, 3.0, 4.6]
        var summary = LatencySummary.From([5, 1, 3, 2, 4]);
        Assert.That(summary.Runs, Is.EqualTo(5));
        Assert.That(summary.MedianMs, Is.EqualTo(3.0));
        Assert.That(summary.P10Ms, Is.EqualTo(1.4).Within(1e-12));
        Assert.That(summary.P90Ms, Is.EqualTo(4.6).Within(1e-12));
        Assert.That(summary.MeanMs, Is.EqualTo(3.0));
    }

    [Test]
    public void The_median_of_an_even_count_is_the_middle_mean()
    {
        // numpy.percentile([10, 40, 20, 30], [10, 50, 90]) = [13.0, 25.0, 37.0]
        var summary = LatencySummary.From([10, 40, 20, 30]);
        Assert.That(summary.MedianMs, Is.EqualTo(25.0));
        Assert.That(summary.P10Ms, Is.EqualTo(13.0).Within(1e-12));
        Assert.That(summary.P90Ms, Is.EqualTo(37.0).Within(1e-12));
    }
}
