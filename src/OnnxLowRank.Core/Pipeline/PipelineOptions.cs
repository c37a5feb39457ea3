using OnnxLowRank.Core.Execution;
using OnnxLowRank.Core.Allocation;
using OnnxLowRank.Core.DataAware;
using OnnxLowRank.Core.Latency;
using OnnxLowRank.Core.Planning;
using OnnxLowRank.Core.Sensitivity;

namespace OnnxLowRank.Core.Pipeline;

/// <summary>Everything that decides how a model is compressed; the defaults are the tool's defaults.</summary>
public sealed record PipelineOptions
{
    /// <summary>An allocator name from <see cref="RankAllocators"/>, or auto.</summary>
    public string Method { get; init; } = RankAllocators.Auto;

    public BudgetKind Budget { get; init; } = BudgetKind.Parameters;

    /// <summary>The fraction to keep for <see cref="BudgetKind.Parameters"/>, <see cref="BudgetKind.Flops"/> and <see cref="BudgetKind.Latency"/>.</summary>
    public double KeepFraction { get; init; } = 0.5;

    /// <summary>ARSVD's energy share when <see cref="Budget"/> is <see cref="BudgetKind.Energy"/>.</summary>
    public double EnergyThreshold { get; init; } = 0.95;

    public AllocationSettings Allocation { get; init; } = AllocationSettings.Default;

    /// <summary>
    /// The Conv rank multiple in use: <see cref="AllocationSettings.ConvRankMultiple"/> when set; otherwise
    /// <see cref="AllocationSettings.ComputeConvRankMultiple"/> under a FLOP or latency budget, whose point is
    /// speed, and 1 (any rank) under a parameter or energy budget, whose point is size: there the grid buys
    /// speed that was not asked for with accuracy (data-aware, keep-params 0.3 on the reference CNN: -3.10
    /// points on the grid against -0.80 without).
    /// </summary>
    public int ConvRankMultiple => Allocation.ConvRankMultiple
        ?? (Budget is BudgetKind.Flops or BudgetKind.Latency ? AllocationSettings.ComputeConvRankMultiple : 1);

    /// <summary>Layer-name patterns (* and ? wildcards) to leave whole.</summary>
    public IReadOnlyList<string> Exclude { get; init; } = [];

    /// <summary>Treat initializers that are also graph inputs as constants, and drop those inputs.</summary>
    public bool RemoveInitializerInputs { get; init; }

    /// <summary>
    /// Sizes for symbolic input dimensions (<c>--dim</c>), for the runs the job makes on generated inputs: FLOP
    /// measurement and layer timing. A dimension without a size runs at 1.
    /// </summary>
    public DimensionSizes DimensionSizes { get; init; } = DimensionSizes.None;

    /// <summary>
    /// Calibration inputs: when given (a model runner is then required), each layer's input statistics are
    /// collected, spectra are whitened, layers are factorized by <see cref="WhitenedFactorizer"/>,
    /// and auto picks sensitivity (global-energy where a layer cannot be measured). Null compresses on the weights alone.
    /// </summary>
    public CalibrationOptions? Calibration { get; init; }

    /// <summary>
    /// Sizes chosen earlier (<c>--plan</c>): applied as they are instead of allocating, so the budget, method and
    /// latency options are not used. Null allocates.
    /// </summary>
    public PlanFile.Document? Plan { get; init; }

    /// <summary>Where <see cref="Plan"/> was read from, for messages.</summary>
    public string? PlanPath { get; init; }

    /// <summary>
    /// With calibration data, refit each layer in graph order to the inputs the already compressed layers before it
    /// produce (<see cref="SequentialRefit"/>); off, every layer is factorized for the original model's inputs.
    /// </summary>
    public bool RefitSequentially { get; init; } = true;

    /// <summary>
    /// Time every compressible layer and its candidate pairs in the engine (a model runner is then required)
    /// and never keep a pair that is not faster than the layer it replaces (ALGORITHMS.md section 6).
    /// A <see cref="BudgetKind.Latency"/> budget implies it.
    /// </summary>
    public bool LatencyAware { get; init; }

    /// <summary>How layers are timed when latency-aware.</summary>
    public LatencyOptions Latency { get; init; } = new();

    /// <summary>True when layers are timed: latency-aware, or a latency budget.</summary>
    public bool TimesLayers => LatencyAware || Budget == BudgetKind.Latency;

    /// <summary>Threads for spectra and factors; -1 uses every core.</summary>
    public int MaxDegreeOfParallelism { get; init; } = -1;

    /// <summary>
    /// Measure each layer's sensitivity (<see cref="SensitivityRun"/>) in the analysis even when the allocator does not need it
    /// (analyze shows it; a sweep that compares the sensitivity allocator with others needs it once). Needs calibration data;
    /// an allocator that needs measured damage (<see cref="IRankAllocator.NeedsMeasuredDamage"/>) implies it.
    /// </summary>
    public bool MeasureSensitivity { get; init; }

    /// <summary>How sensitivity is measured: the calibration samples used (the first 128 by default) and the sizes.</summary>
    public SensitivityOptions Sensitivity { get; init; } = new();
}
