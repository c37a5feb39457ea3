using OnnxLowRank.Cli.Commands;

namespace OnnxLowRank.Cli.Tests.Commands;

public class KeepFractionsTests
{
    [Test]
    public void A_range_includes_both_ends_without_rounding_noise() =>
        Assert.That(KeepFractions.Parse("0.1:0.9:0.1"), Is.EqualTo(new[] { 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9 }));

    [Test]
    public void A_list_keeps_its_order() => Assert.That(KeepFractions.Parse("0.5, 0.25,1"), Is.EqualTo(new[] { 0.5, 0.25, 1.0 }));

    [TestCase("0:0.5:0.1")]
    [TestCase("0.5:0.1:0.1")]
    [TestCase("0.1:0.9:0")]
    [TestCase("1.5")]
    [TestCase("a,b")]
    [TestCase("")]
    public void Values_outside_zero_to_one_or_malformed_text_are_refused(string text) => Assert.That(KeepFractions.Parse(text), Is.Null);
}
