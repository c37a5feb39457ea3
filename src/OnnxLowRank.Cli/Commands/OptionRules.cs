using System.CommandLine;
using System.CommandLine.Parsing;
using OnnxLowRank.Core.Allocation;

namespace OnnxLowRank.Cli.Commands;

/// <summary>Range checks attached to options, so a bad value is a parse error (exit code 2) before anything runs.</summary>
internal static class OptionRules
{
    public static Option<T> AtLeast<T>(this Option<T> option, T minimum) where T : struct, IComparable<T>
    {
        option.Validators.Add(result =>
        {
            if (Converted<T>(result) is { } value && value.CompareTo(minimum) < 0)
                result.AddError($"{option.Name} must be at least {minimum}.");
        });
        return option;
    }

    /// <summary>The same check for an option that may be left out (its default then depends on other options).</summary>
    public static Option<T?> AtLeast<T>(this Option<T?> option, T minimum) where T : struct, IComparable<T>
    {
        option.Validators.Add(result =>
        {
            if (Converted<T>(result) is { } value && value.CompareTo(minimum) < 0)
                result.AddError($"{option.Name} must be at least {minimum}.");
        });
        return option;
    }

    public static Option<double?> Between(this Option<double?> option, double low, double high)
    {
        option.Validators.Add(result =>
        {
            if (Converted<double>(result) is { } value && !(value >= low && value <= high))
                result.AddError($"{option.Name} must be between {low} and {high}.");
        });
        return option;
    }

    /// <summary>
    /// Accepts allocator names (auto or a registered one, any case), each token split at commas when
    /// <paramref name="commaLists"/>; an unknown name is one line naming the option and the known names.
    /// </summary>
    public static Option<T> Allocators<T>(this Option<T> option, bool commaLists = false)
    {
        string[] known = [RankAllocators.Auto, .. RankAllocators.Names];
        option.CompletionSources.Add(known);
        option.Validators.Add(result =>
        {
            var names = result.Tokens.Select(t => t.Value);
            if (commaLists) names = AllocatorNames(names);
            foreach (var name in names.Where(n => !known.Contains(n, StringComparer.OrdinalIgnoreCase)))
                result.AddError($"{option.Name}: unknown allocator '{name}'; known: {string.Join(", ", known)}.");
        });
        return option;
    }

    /// <summary>Allocator names from tokens that may be comma lists.</summary>
    public static IEnumerable<string> AllocatorNames(IEnumerable<string> tokens) =>
        tokens.SelectMany(t => t.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));

    // Validators run even when the text did not convert; that error is already reported, so there is nothing to check.
    private static T? Converted<T>(OptionResult result) where T : struct
    {
        if (result.Tokens.Count == 0) return null;
        try
        {
            return result.GetValueOrDefault<T?>();
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }
}
