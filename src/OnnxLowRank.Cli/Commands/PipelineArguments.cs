using System.CommandLine;
using OnnxLowRank.Core.Allocation;
using OnnxLowRank.Core.Pipeline;
using OnnxLowRank.Core.Sensitivity;

namespace OnnxLowRank.Cli.Commands;

/// <summary>Options that shape layer discovery and allocation, shared by analyze, compress and sweep.</summary>
internal sealed class PipelineArguments
{
    public Option<string[]> Exclude { get; } = new("--exclude")
    {
        Description = "Leave layers whose name matches this pattern (* and ? wildcards) whole; repeatable",
        HelpName = "PATTERN",
    };

    public Option<int> MaxK { get; } = new Option<int>("--max-k")
    {
        Description = "Largest number of channel slices k tried per Conv layer (1 = plain SVD)",
        DefaultValueFactory = _ => AllocationSettings.Default.MaxSliceCount,
        HelpName = "K",
    }.AtLeast(1);

    public Option<int?> ConvRankMultiple { get; } = new Option<int?>("--conv-rank-multiple")
    {
        Description = $"Conv ranks (and channel slices) are multiples of N, the channel block of ONNX Runtime's CPU convolutions; 1 allows any rank (default {AllocationSettings.ComputeConvRankMultiple} under FLOP and latency budgets, 1 under parameter and energy budgets)",
        HelpName = "N",
    }.AtLeast(1);

    /// <summary>The command's --dim, which its data options read too.</summary>
    public DimensionOption Dimensions { get; } = new();

    public Option<double?> MinSaving { get; } = new Option<double?>("--min-saving")
    {
        Description = $"Only factorize a layer when that saves at least this share of it (default {AllocationSettings.Default.MinimumSaving})",
        HelpName = "FRAC",
    }.Between(0, 0.99);

    public Option<int> SensitivitySamples { get; } = new Option<int>("--sensitivity-samples")
    {
        Description = $"Calibration samples (the first N) on which each layer's damage to the outputs is measured, for --method {SensitivityAllocator.RegistryName} and analyze's sensitivity table",
        DefaultValueFactory = _ => SensitivityOptions.DefaultSamples,
        HelpName = "N",
    }.AtLeast(1);

    public void AddTo(Command command)
    {
        command.Add(Exclude);
        command.Add(MaxK);
        command.Add(ConvRankMultiple);
        command.Add(MinSaving);
        command.Add(SensitivitySamples);
        Dimensions.AddTo(command);
    }

    /// <summary>The pipeline options these arguments describe (budget fields at their defaults).</summary>
    public PipelineOptions Read(ParseResult result) => new()
    {
        Exclude = result.GetValue(Exclude) ?? [],
        Allocation = AllocationSettings.Default with
        {
            MaxSliceCount = result.GetValue(MaxK),
            ConvRankMultiple = result.GetValue(ConvRankMultiple),
            MinimumSaving = result.GetValue(MinSaving) ?? AllocationSettings.Default.MinimumSaving,
        },
        DimensionSizes = Dimensions.Read(result),
        Sensitivity = new SensitivityOptions { Samples = result.GetValue(SensitivitySamples) },
    };
}
