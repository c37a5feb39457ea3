using OnnxLowRank.Core.Pipeline;

namespace OnnxLowRank.Cli.Commands;

/// <summary>Turns pipeline progress into progress-bar updates, synchronously (the pipeline reports from worker threads).</summary>
internal sealed class PipelineProgressBridge(Action<string, double, double> report) : IProgress<PipelineProgress>
{
    public static IProgress<PipelineProgress> To(Action<string, double, double> report) => new PipelineProgressBridge(report);

    public void Report(PipelineProgress value) => report(value.Stage switch
    {
        PipelineStage.Discovery => "finding layers",
        PipelineStage.Measurement => "measuring output sizes",
        PipelineStage.Calibration => "calibrating",
        PipelineStage.Spectra => "computing spectra",
        PipelineStage.Timing => "timing layers",
        PipelineStage.Sensitivity => "measuring layer sensitivity",
        PipelineStage.Allocation => "allocating ranks",
        PipelineStage.Refit => "refitting layers",
        _ => "rewriting",
    }, value.Done, value.Total);
}
