using OnnxLowRank.Core.Allocation;

namespace OnnxLowRank.Core.Tests.Support;

/// <summary>
/// The allocators that work from spectra alone: the tests that hand every allocator the same layers without
/// measured damage (and so without calibration data) run over these; the sensitivity allocator has its own.
/// </summary>
internal static class SpectrumAllocators
{
    public static IEnumerable<string> Names => RankAllocators.All.Where(a => !a.NeedsMeasuredDamage).Select(a => a.Name);
}
