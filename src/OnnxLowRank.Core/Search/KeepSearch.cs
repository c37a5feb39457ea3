using OnnxLowRank.Core.Allocation;

namespace OnnxLowRank.Core.Search;

/// <summary>
/// The smallest keep fraction whose compressed model passes a gate, by bisection: the highest fraction is tried first
/// (failing there ends the search), then the middle of the interval between the smallest fraction known to pass and the
/// largest known to fail (at first <see cref="KeepSearchOptions.Low"/>, assumed to fail), halving it until it is within
/// the tolerance. Quality need not fall monotonically with the fraction kept (a smaller model can score better by
/// chance on a finite validation set), so the search promises only what it measured: the fraction it returns is one
/// it validated and saw pass, and every later passing step is smaller than every earlier one. When the outcome is
/// monotone, the result lies within the tolerance above the true threshold.
/// </summary>
public static class KeepSearch
{
    /// <summary>
    /// Runs the search. <paramref name="trial"/> compresses and validates at a fraction; <paramref name="passes"/> says
    /// whether its result passed; <paramref name="onStep"/> hears of each step as soon as it is made. A budget the
    /// allocator cannot reach (<see cref="BudgetUnreachableException"/>) below the highest fraction counts as a fraction
    /// too small, and the search moves up; at the highest fraction nothing above could help, so the exception propagates.
    /// </summary>
    public static KeepSearchResult<TResult> Run<TResult>(
        KeepSearchOptions options, Func<double, TResult> trial, Func<TResult, bool> passes, Action<KeepTrial<TResult>>? onStep = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(trial);
        ArgumentNullException.ThrowIfNull(passes);
        options.Validate();
        var steps = new List<KeepTrial<TResult>>();
        KeepTrial<TResult> Record(KeepTrial<TResult> step)
        {
            steps.Add(step);
            onStep?.Invoke(step);
            return step;
        }

        var top = trial(options.High);
        var best = Record(new KeepTrial<TResult>(0, options.High, passes(top), top));
        if (!best.Passed) return new KeepSearchResult<TResult>(steps, best);

        var failing = options.Low;
        var passing = options.High;
        // A fixed count of halvings, not a test of the interval's width, so rounding in the midpoints cannot add a step.
        var halvings = Halvings(options);
        for (var halving = 0; halving < halvings; halving++)
        {
            var keep = (failing + passing) / 2;
            KeepTrial<TResult> step;
            try
            {
                var result = trial(keep);
                step = Record(new KeepTrial<TResult>(steps.Count, keep, passes(result), result));
            }
            catch (BudgetUnreachableException e)
            {
                step = Record(new KeepTrial<TResult>(steps.Count, keep, false, default, e.Message));
            }
            if (step.Passed)
            {
                passing = keep;
                best = step;
            }
            else failing = keep;
        }
        return new KeepSearchResult<TResult>(steps, best);
    }

    /// <summary>
    /// The most steps a search makes: the highest fraction, then one per halving of [low, high] down to the tolerance.
    /// </summary>
    public static int MaxSteps(KeepSearchOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return 1 + Halvings(options);
    }

    /// <summary>Halvings of [low, high] until it is no wider than the tolerance; the small slack keeps an exact power of two from rounding up.</summary>
    private static int Halvings(KeepSearchOptions options)
    {
        var ratio = (options.High - options.Low) / options.Tolerance;
        return ratio <= 1 ? 0 : (int)Math.Ceiling(Math.Log2(ratio) - 1e-9);
    }
}
