using System.CommandLine;
using System.CommandLine.Parsing;

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
