using System.Text.Json;

namespace OnnxLowRank.Cli.Tests;

public class DiffCommandTests : ScratchFolderTest
{
    [Test]
    public void A_model_against_itself_agrees_fully_and_scores_what_onnx_runtime_scores()
    {
        var mlp = RepositoryFiles.Model("mlp.onnx");
        var report = Path.Combine(Folder, "diff.json");
        var run = CliProcess.Run("diff", mlp, mlp, "--data", RepositoryFiles.TestImages, "--labels", RepositoryFiles.TestLabels,
            "--normalize", RepositoryFiles.Normalization, "--batch", "500", "--report", report);
        Assert.That(run.ExitCode, Is.EqualTo(0), run.ToString());

        using var json = JsonDocument.Parse(File.ReadAllText(report));
        var comparison = json.RootElement.GetProperty("comparison");
        var logits = comparison.GetProperty("outputs")[0];
        Assert.That(json.RootElement.GetProperty("schemaVersion").GetInt32(), Is.EqualTo(1));
        Assert.That(comparison.GetProperty("samples").GetInt32(), Is.EqualTo(2000));
        Assert.That(logits.GetProperty("name").GetString(), Is.EqualTo("logits"));
        Assert.That(logits.GetProperty("topOneAgreement").GetDouble(), Is.EqualTo(1.0));
        Assert.That(logits.GetProperty("maxAbsoluteError").GetDouble(), Is.Zero);
        var accuracy = ReferenceRun.Accuracy(mlp, batch: 500);
        Assert.That(accuracy, Is.GreaterThan(0.8), "the reference model should classify Fashion-MNIST");
        Assert.That(logits.GetProperty("originalAccuracy").GetDouble(), Is.EqualTo(accuracy));
        Assert.That(logits.GetProperty("compressedAccuracy").GetDouble(), Is.EqualTo(accuracy));
        Assert.That(run.Stdout, Does.Contain("logits"));
    }

    [Test]
    public void A_model_against_itself_on_a_few_samples_is_timed_long_enough_to_run_as_fast_as_itself()
    {
        // Two batches of data: the comparison repeats them until each model has 20 timed runs and the two 2 s together.
        var mlp = RepositoryFiles.Model("mlp.onnx");
        var report = Path.Combine(Folder, "self.json");
        var run = CliProcess.Run("diff", mlp, mlp, "--data", "random", "--shape", "8,1,28,28", "--threads", "1", "--report", report, "--quiet");
        Assert.That(run.ExitCode, Is.EqualTo(0), run.ToString());

        using var json = JsonDocument.Parse(File.ReadAllText(report));
        var comparison = json.RootElement.GetProperty("comparison");
        var original = comparison.GetProperty("originalLatency");
        var compressed = comparison.GetProperty("compressedLatency");
        Assert.That(comparison.GetProperty("samples").GetInt32(), Is.EqualTo(16), "quality is computed over the data once");
        foreach (var latency in new[] { original, compressed })
        {
            Assert.That(latency.GetProperty("runs").GetInt32(), Is.GreaterThanOrEqualTo(20));
            Assert.That(latency.GetProperty("p10Ms").GetDouble(), Is.LessThanOrEqualTo(latency.GetProperty("medianMs").GetDouble()));
        }
        // The same model, timed in alternation: a ratio far from 1 would be a measuring fault, not a model.
        Assert.That(comparison.GetProperty("speedup").GetDouble(), Is.InRange(0.9, 1.1));
    }

    [Test]
    public void A_failed_gate_exits_with_one()
    {
        var run = CliProcess.Run("diff", RepositoryFiles.Model("mlp.onnx"), RepositoryFiles.Model("resnet.onnx"),
            "--data", RepositoryFiles.TestImages, "--normalize", RepositoryFiles.Normalization, "--limit", "300", "--min-agreement", "0.99", "--quiet");
        Assert.That(run.ExitCode, Is.EqualTo(1), run.ToString());
        Assert.That(run.Stderr, Does.Contain("gate failed: top-1 agreement"));
        Assert.That(run.Stdout, Is.Empty, "--quiet prints no tables");
    }

    [Test]
    public void A_missing_model_exits_with_two_and_one_line_naming_it()
    {
        var missing = Path.Combine(Folder, "absent.onnx");
        var run = CliProcess.Run("diff", missing, missing, "--data", "random");
        Assert.That(run.ExitCode, Is.EqualTo(2), run.ToString());
        Assert.That(run.Stderr.TrimEnd().Split('\n'), Has.Length.EqualTo(1));
        Assert.That(run.Stderr, Does.Contain(missing).And.Contain("does not exist"));
    }

    [Test]
    public void Verbose_adds_the_stack_to_the_message()
    {
        var missing = Path.Combine(Folder, "absent.onnx");
        var run = CliProcess.Run("diff", missing, missing, "--data", "random", "--verbose");
        Assert.That(run.ExitCode, Is.EqualTo(2), run.ToString());
        Assert.That(run.Stderr, Does.Contain("InvalidModelException").And.Contain(" at "));
    }

    [Test]
    public void A_missing_cuda_provider_is_a_runtime_failure_with_three()
    {
        // The default build carries ONNX Runtime's CPU package, which has no CUDA provider; this machine has no GPU.
        var mlp = RepositoryFiles.Model("mlp.onnx");
        var run = CliProcess.Run("diff", mlp, mlp, "--data", "random", "--limit", "2", "--ep", "cuda");
        Assert.That(run.ExitCode, Is.EqualTo(3), run.ToString());
        var line = run.Stderr.TrimEnd().Split('\n').Where(l => l.StartsWith("error:", StringComparison.Ordinal)).Single();
        Assert.That(line, Does.Contain("CUDA").And.Contain("-p:OnnxRuntimeFlavour=Gpu").And.Contain("cuDNN 9"));
    }

    [Test]
    public void A_missing_data_file_exits_with_two()
    {
        var mlp = RepositoryFiles.Model("mlp.onnx");
        var run = CliProcess.Run("diff", mlp, mlp, "--data", Path.Combine(Folder, "none.gz"));
        Assert.That(run.ExitCode, Is.EqualTo(2), run.ToString());
        Assert.That(run.Stderr, Does.Contain("none.gz"));
    }

    [TestCase("--batch", "zero")]
    [TestCase("--batch", "0")]
    [TestCase("--ep", "tpu")]
    [TestCase("--report", "out.pdf")]
    [TestCase("--no-such-option", "1")]
    public void A_bad_argument_exits_with_two(string option, string value)
    {
        var run = CliProcess.Run("diff", "a.onnx", "b.onnx", "--data", "random", option, value);
        Assert.That(run.ExitCode, Is.EqualTo(2), run.ToString());
        Assert.That(run.Stderr, Does.StartWith("error:"));
    }

    [Test]
    public void Markdown_and_html_reports_follow_the_extension()
    {
        var mlp = RepositoryFiles.Model("mlp.onnx");
        var markdown = Path.Combine(Folder, "r.md");
        var html = Path.Combine(Folder, "r.html");
        foreach (var report in new[] { markdown, html })
        {
            var run = CliProcess.Run("diff", mlp, mlp, "--data", "random", "--limit", "8", "--report", report, "--quiet");
            Assert.That(run.ExitCode, Is.EqualTo(0), run.ToString());
        }
        Assert.That(File.ReadAllText(markdown), Does.StartWith("# onnx-lowrank diff").And.Contain("| logits |"));
        var page = File.ReadAllText(html);
        Assert.That(page, Does.StartWith("<!DOCTYPE html>").And.Contain("<svg").And.Not.Contain("<script"));
    }
}
