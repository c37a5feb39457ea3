namespace OnnxLowRank.Cli.Tests;

/// <summary>
/// Options that parse but cannot run, or do not go together: each ends in exit code 2 with one line
/// "error: ..." that says what is wrong and what to do, never an internal error.
/// </summary>
public class UsageErrorTests : ScratchFolderTest
{
    [TestCase("alds")]
    [TestCase("global-energy")]
    [TestCase("svd-energy")]
    [TestCase("uniform")]
    public void An_energy_threshold_with_an_allocator_that_needs_a_budget(string method)
    {
        var line = ErrorLine(Compress("--energy", "0.9", "--method", method));
        Assert.That(line, Does.Contain($"method '{method}'").And.Contain("--method arsvd").And.Contain("--keep-params"));
    }

    [TestCase("--keep-params")]
    [TestCase("--keep-flops")]
    [TestCase("--keep-latency")]
    public void A_keep_fraction_of_zero(string option)
    {
        var line = ErrorLine(Compress(option, "0"));
        Assert.That(line, Does.Contain("is not a budget").And.Contain($"give {option} a fraction above 0"));
    }

    [Test]
    public void An_energy_threshold_of_zero() =>
        Assert.That(ErrorLine(Compress("--energy", "0")), Does.Contain("give --energy a share above 0"));

    [Test]
    public void An_exclusion_that_leaves_no_layer() =>
        Assert.That(ErrorLine(Compress("--exclude", "*")), Does.Contain("every compressible layer is excluded").And.Contain("exclude fewer layers"));

    [Test]
    public void An_unknown_method_is_one_line_naming_the_option_and_the_known_ones() =>
        Assert.That(ErrorLine(Compress("--method", "bogus")), Does.Contain("--method: unknown allocator 'bogus'").And.Contain("global-energy"));

    [Test]
    public void A_value_outside_a_list_of_choices_is_one_line()
    {
        var run = CliProcess.Run("sweep", RepositoryFiles.Model("mlp.onnx"), "--data", "random", "--budget", "bogus", "--quiet");
        Assert.That(ErrorLine(run), Does.Contain("'bogus'").And.Contain("'flops'"));
    }

    private CliProcess.Outcome Compress(params string[] options) =>
        CliProcess.Run(["compress", RepositoryFiles.Model("mlp.onnx"), "-o", Path.Combine(Folder, "out.onnx"), "--quiet", .. options]);

    /// <summary>The single error line of a run that exited with code 2; anything else fails the test.</summary>
    private static string ErrorLine(CliProcess.Outcome run)
    {
        Assert.That(run.ExitCode, Is.EqualTo(2), run.ToString());
        Assert.That(run.Stderr, Does.Not.Contain("internal error"), run.ToString());
        var lines = run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var errors = lines.Where(l => l.StartsWith("error: ", StringComparison.Ordinal)).ToList();
        Assert.That(errors, Has.Count.EqualTo(1), run.ToString());
        Assert.That(lines.Except(errors), Has.All.StartsWith("Run 'onnx-lowrank "), "besides the error, at most the pointer to --help");
        return errors[0];
    }
}
