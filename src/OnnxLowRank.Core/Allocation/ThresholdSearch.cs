namespace OnnxLowRank.Core.Allocation;

/// <summary>Binary search over candidate thresholds ordered so that fitting the budget is monotone.</summary>
internal static class ThresholdSearch
{
    /// <summary>
    /// The first index whose threshold fits, given that once one fits all later ones do;
    /// <paramref name="count"/> when none fits.
    /// </summary>
    public static int FirstFitting(int count, Func<int, bool> fits)
    {
        int low = 0, high = count;
        while (low < high)
        {
            var middle = low + (high - low) / 2;
            if (fits(middle)) high = middle;
            else low = middle + 1;
        }
        return low;
    }
}
