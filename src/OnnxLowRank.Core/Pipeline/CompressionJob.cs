using OnnxLowRank.Core.Allocation;
using OnnxLowRank.Core.DataAware;
using OnnxLowRank.Core.Factorization;
using OnnxLowRank.Onnx.Errors;

namespace OnnxLowRank.Core.Pipeline;

/// <summary>
/// One compression, resolved once from <see cref="PipelineOptions"/>: the allocator (auto and an energy threshold
/// resolved), its budget and settings, the Conv rank grid, the slicings timed, the factorizer and whether factors
/// are refitted. Options that cannot run together are refused here, before any analysis, with an
/// <see cref="InvalidOptionsException"/>; what an allocator can do is asked of it (<see cref="IRankAllocator.NeedsBudget"/>,
/// <see cref="IRankAllocator.UsesSlices"/>), never read from its name.
/// </summary>
public sealed record CompressionJob
{
    private CompressionJob(PipelineOptions options, IRankAllocator allocator, bool dataAware, bool timed)
    {
        Options = options;
        Allocator = allocator;
        DataAware = dataAware;
        Timed = timed;
    }

    public PipelineOptions Options { get; }

    /// <summary>The allocator the method names; auto resolved by the calibration data and the budget.</summary>
    public IRankAllocator Allocator { get; }

    /// <summary>Spectra and factors are data-aware: the analysis carries calibration statistics.</summary>
    public bool DataAware { get; }

    /// <summary>Layers are timed in the engine, and the allocation never keeps a pair slower than its layer.</summary>
    public bool Timed { get; }

    /// <summary>The fraction to keep, or none under an energy threshold (the allocator's own rule decides).</summary>
    public AllocationBudget Budget => Options.Budget == BudgetKind.Energy ? AllocationBudget.None : AllocationBudget.Keep(Options.KeepFraction);

    /// <summary>The allocation settings, the energy threshold in place of ARSVD's share when that is the budget.</summary>
    public AllocationSettings Settings => Options.Budget == BudgetKind.Energy ? Options.Allocation with { ArsvdTau = Options.EnergyThreshold } : Options.Allocation;

    /// <summary>The Conv rank multiple asked for (see <see cref="PipelineOptions.ConvRankMultiple"/>).</summary>
    public int ConvRankMultiple => Options.ConvRankMultiple;

    /// <summary>The largest slicing k timed per layer: only an allocator that uses slices needs pairs at k &gt; 1.</summary>
    public int TimedSliceCount => Allocator.UsesSlices ? Options.Allocation.MaxSliceCount : 1;

    /// <summary>Data-aware factors are refitted layer by layer to the compressed inputs (<see cref="SequentialRefit"/>).</summary>
    public bool Refits => DataAware && Options.Calibration is not null && Options.RefitSequentially;

    /// <summary>
    /// Whitened factors with calibration statistics, plain weight SVD otherwise; timed (latency-aware) pairs were
    /// measured kernel-first, so then Convs keep that order.
    /// </summary>
    public ILayerFactorizer Factorizer(CalibrationStatistics? calibration) => DataAware && calibration is not null
        ? new WhitenedFactorizer(calibration.Layers, calibration.RelativeRidge, calibration.CorrectBias, calibration.Embeddings)
        : new WeightSvdFactorizer(chooseFactorOrder: !Timed);

    /// <summary>The job for options about to be analysed: data-aware when they give calibration data, timed when they ask for it.</summary>
    public static CompressionJob Resolve(PipelineOptions options) =>
        Resolve(options, options?.Calibration is not null, options?.TimesLayers ?? false);

    /// <summary>
    /// The job for options and an analysis that has calibration statistics or not, was timed or not, and measured every
    /// compressible layer's sensitivity or not (<paramref name="measuredSensitivity"/>: auto then picks the sensitivity allocator).
    /// </summary>
    public static CompressionJob Resolve(PipelineOptions options, bool hasCalibrationData, bool timed, bool measuredSensitivity = false)
    {
        ArgumentNullException.ThrowIfNull(options);
        CheckSettings(options.Allocation);
        var energy = options.Budget == BudgetKind.Energy;
        if (energy)
        {
            if (!(options.EnergyThreshold > 0 && options.EnergyThreshold <= 1))
                throw new InvalidOptionsException($"an energy threshold of {options.EnergyThreshold} is not a share of energy",
                    "give --energy a share above 0 and at most 1, e.g. --energy 0.9");
        }
        else if (!(options.KeepFraction > 0 && options.KeepFraction <= 1))
        {
            throw new InvalidOptionsException($"keeping {options.KeepFraction} of the {BudgetName(options.Budget)} is not a budget",
                $"give {BudgetOption(options.Budget)} a fraction above 0 and at most 1, e.g. {BudgetOption(options.Budget)} 0.5");
        }

        var auto = options.Method.Equals(RankAllocators.Auto, StringComparison.OrdinalIgnoreCase);
        // An energy threshold is the rule of an allocator that needs no budget; auto picks the one there is.
        var allocator = auto && energy
            ? RankAllocators.All.First(a => !a.NeedsBudget)
            : auto ? RankAllocators.Resolve(options.Method, hasCalibrationData, measuredSensitivity) : RankAllocators.Find(options.Method);
        if (allocator is null)
            throw new InvalidOptionsException($"unknown method '{options.Method}'",
                $"use --method {RankAllocators.Auto} or one of {string.Join(", ", RankAllocators.Names)}");
        if (energy && allocator.NeedsBudget)
        {
            var thresholdRules = string.Join(" or ", RankAllocators.All.Where(a => !a.NeedsBudget).Select(a => a.Name));
            throw new InvalidOptionsException($"method '{allocator.Name}' allocates under a budget and has no energy threshold of its own",
                $"use --energy with --method {thresholdRules} or {RankAllocators.Auto}, or give {allocator.Name} --keep-params, --keep-flops or --keep-latency");
        }
        if (allocator.NeedsMeasuredDamage && !hasCalibrationData)
            throw new InvalidOptionsException($"method '{allocator.Name}' measures each layer's damage to the outputs on calibration samples, and none were given",
                $"give --calibration DATA (at least {SensitivityMinimumSamples} samples), or use another --method");
        return new CompressionJob(options, allocator, hasCalibrationData, timed);
    }

    /// <summary>Calibration samples the sensitivity measurement should have, so its layer ranking is stable.</summary>
    public const int SensitivityMinimumSamples = 128;

    private static void CheckSettings(AllocationSettings settings)
    {
        try
        {
            settings.Validate();
        }
        catch (ArgumentException e)
        {
            throw new InvalidOptionsException(e.Message.TrimEnd('.'), "check --max-k, --min-saving and --conv-rank-multiple (see --help)", inner: e);
        }
    }

    private static string BudgetName(BudgetKind budget) => budget switch
    {
        BudgetKind.Flops => "multiply-accumulates",
        BudgetKind.Latency => "summed layer time",
        _ => "parameters",
    };

    private static string BudgetOption(BudgetKind budget) => budget switch
    {
        BudgetKind.Flops => "--keep-flops",
        BudgetKind.Latency => "--keep-latency",
        _ => "--keep-params",
    };
}
