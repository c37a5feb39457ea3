using OnnxLowRank.Core.Allocation;
using OnnxLowRank.Core.Search;

namespace OnnxLowRank.Core.Tests.Search;

/// <summary>The bisection's invariants against synthetic pass functions, monotone and not.</summary>
public class KeepSearchTests
{
    private static readonly KeepSearchOptions Defaults = new();

    [Test]
    public void With_a_monotone_gate_the_result_passed_and_lies_within_the_tolerance_above_the_threshold()
    {
        for (var threshold = 0.051; threshold < 0.95; threshold += 0.0137)
        {
            var result = KeepSearch.Run(Defaults, keep => keep, keep => keep >= threshold);
            Assert.That(result.Found, Is.True);
            Assert.That(result.Chosen.Passed, Is.True);
            Assert.That(result.Chosen.KeepFraction, Is.GreaterThanOrEqualTo(threshold).And.LessThanOrEqualTo(threshold + Defaults.Tolerance), $"threshold {threshold}");
            Assert.That(result.Steps, Has.Count.EqualTo(KeepSearch.MaxSteps(Defaults)));
        }
    }

    [Test]
    public void Every_step_is_recorded_in_order_and_the_first_is_the_highest_fraction()
    {
        var heard = new List<KeepTrial<double>>();
        var result = KeepSearch.Run(Defaults, keep => keep, keep => keep >= 0.4, heard.Add);
        Assert.That(heard, Is.EqualTo(result.Steps));
        Assert.That(result.Steps.Select(s => s.Index), Is.EqualTo(Enumerable.Range(0, result.Steps.Count)));
        Assert.That(result.Steps[0].KeepFraction, Is.EqualTo(Defaults.High));
        Assert.That(result.Steps.All(s => s.Result == s.KeepFraction), "each step carries its own trial's result");
    }

    [Test]
    public void The_step_count_is_one_plus_log2_of_the_span_over_the_tolerance()
    {
        Assert.That(KeepSearch.MaxSteps(Defaults), Is.EqualTo(8), "0.95, then 7 halvings of 0.9 down to 0.0125");
        Assert.That(KeepSearch.MaxSteps(new KeepSearchOptions { Low = 0.15, High = 0.95, Tolerance = 0.1 }), Is.EqualTo(4), "an exact power of two does not round up");
        Assert.That(KeepSearch.MaxSteps(new KeepSearchOptions { Low = 0.9, Tolerance = 0.1 }), Is.EqualTo(1));
        var random = new Random(18);
        for (var i = 0; i < 200; i++)
        {
            var options = new KeepSearchOptions { Low = 0.01 + (random.NextDouble() * 0.5), Tolerance = 0.001 + (random.NextDouble() * 0.1) };
            var result = KeepSearch.Run(options, keep => keep, _ => random.NextDouble() < 0.5);
            Assert.That(result.Steps, Has.Count.LessThanOrEqualTo(1 + Math.Ceiling(Math.Log2((options.High - options.Low) / options.Tolerance))));
        }
    }

    [Test]
    public void With_a_gate_that_is_not_monotone_the_result_is_a_validated_passing_step_smaller_than_every_earlier_pass()
    {
        var random = new Random(20261207);
        for (var run = 0; run < 500; run++)
        {
            // Passes by chance, more often at larger fractions: quality that is noisy in the fraction kept.
            var outcomes = new Dictionary<double, bool>();
            var result = KeepSearch.Run(Defaults, keep => keep, keep => outcomes[keep] = random.NextDouble() < keep);
            if (!result.Found)
            {
                Assert.That(result.Steps, Has.Count.EqualTo(1), "a failing highest fraction ends the search");
                Assert.That(result.Chosen, Is.SameAs(result.Steps[0]));
                continue;
            }
            Assert.That(result.Steps, Does.Contain(result.Chosen), "never an interpolation");
            Assert.That(outcomes[result.Chosen.KeepFraction], Is.True);
            Assert.That(result.Chosen.KeepFraction, Is.EqualTo(result.Steps.Where(s => s.Passed).Min(s => s.KeepFraction)));
            var passes = result.Steps.Where(s => s.Passed).Select(s => s.KeepFraction).ToList();
            Assert.That(passes, Is.Ordered.Descending.And.Unique, "each pass is smaller than the ones before it, so the last one is the smallest");
            Assert.That(result.Steps.All(s => s.KeepFraction > Defaults.Low && s.KeepFraction <= Defaults.High));
        }
    }

    [Test]
    public void A_failing_highest_fraction_stops_the_search_and_is_the_best_found()
    {
        var result = KeepSearch.Run(Defaults, keep => keep, _ => false);
        Assert.That(result.Found, Is.False);
        Assert.That(result.Steps, Has.Count.EqualTo(1));
        Assert.That(result.Chosen.KeepFraction, Is.EqualTo(0.95));
        Assert.That(result.Chosen.Result, Is.EqualTo(0.95), "its result stays, so the caller can still write that model");
    }

    [Test]
    public void An_unreachable_budget_below_the_top_counts_as_too_small_and_the_search_moves_up()
    {
        var result = KeepSearch.Run(Defaults,
            keep => keep < 0.3 ? throw new BudgetUnreachableException(keep, 0.3) : keep,
            keep => keep >= 0.2);
        var unreachable = result.Steps.Where(s => s.Unreachable is not null).ToList();
        Assert.That(unreachable, Is.Not.Empty);
        Assert.That(unreachable.All(s => !s.Passed && s.KeepFraction < 0.3), Is.True);
        Assert.That(result.Chosen.KeepFraction, Is.GreaterThanOrEqualTo(0.3).And.LessThanOrEqualTo(0.3 + Defaults.Tolerance));
    }

    [Test]
    public void An_unreachable_highest_fraction_is_not_a_search_outcome_but_the_error_it_is()
    {
        Assert.Throws<BudgetUnreachableException>(() => KeepSearch.Run<double>(Defaults, keep => throw new BudgetUnreachableException(keep, 0.99), _ => true));
    }

    [Test]
    public void Bounds_outside_the_unit_interval_or_a_tolerance_of_zero_are_refused()
    {
        Assert.Throws<ArgumentException>(() => KeepSearch.Run(new KeepSearchOptions { Low = 0.96 }, keep => keep, _ => true));
        Assert.Throws<ArgumentException>(() => KeepSearch.Run(new KeepSearchOptions { Low = 0 }, keep => keep, _ => true));
        Assert.Throws<ArgumentException>(() => KeepSearch.Run(new KeepSearchOptions { Tolerance = 0 }, keep => keep, _ => true));
        Assert.Throws<ArgumentException>(() => KeepSearch.Run(new KeepSearchOptions { High = 1.5 }, keep => keep, _ => true));
    }
}
