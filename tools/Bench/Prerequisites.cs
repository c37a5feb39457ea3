namespace OnnxLowRank.Bench;

/// <summary>
/// Makes the models that are not committed: the torchvision exports (tools/export_torchvision_models.py,
/// Debian's python3-torch), PaddleOCR's models and inputs (tools/fetch_paddleocr.sh, tools/render_text_images.py)
/// and all-MiniLM-L6-v2 (tools/fetch_minilm.sh).
/// Each tool runs only when its files are missing; what cannot be made is returned as a note.
/// </summary>
internal static class Prerequisites
{
    private const string Python = "/usr/bin/python3";

    public static IReadOnlyList<string> Prepare(Repository repository, ChildProcesses children, IReadOnlyList<BenchModel> models, TextWriter console)
    {
        var problems = new List<string>();
        var torchvision = models.Where(m => m.Origin == ModelOrigin.Torchvision && !m.Exists).Select(m => m.Name).ToList();
        if (torchvision.Count > 0)
        {
            console.WriteLine($"preparing: exporting {string.Join(", ", torchvision)} with tools/export_torchvision_models.py (needs python3-torch)");
            var (exit, output) = children.RunProgram(Python, ["tools/export_torchvision_models.py", .. torchvision], repository.Root);
            if (exit != 0) problems.Add($"tools/export_torchvision_models.py failed (exit {exit}): {Text.LastLines(output, 2)}");
        }

        var paddle = models.Where(m => m.Origin == ModelOrigin.PaddleOcr).ToList();
        if (paddle.Any(m => !m.Exists))
            problems.AddRange(RunTool(repository, children, console, "bash", "tools/fetch_paddleocr.sh"));
        if (paddle.Any(m => m.Calibration?.Exists == false || m.Evaluation?.Exists == false))
            problems.AddRange(RunTool(repository, children, console, Python, "tools/render_text_images.py"));

        if (models.Any(m => m.Origin == ModelOrigin.MiniLm && !m.Exists))
            problems.AddRange(RunTool(repository, children, console, "bash", "tools/fetch_minilm.sh"));

        foreach (var missing in models.Where(m => !m.Exists))
            problems.Add($"{missing.Name}: {repository.Relative(missing.Path)} is missing, so it was not measured");
        return problems;
    }

    private static IEnumerable<string> RunTool(Repository repository, ChildProcesses children, TextWriter console, string program, string script)
    {
        if (!File.Exists(repository.PathOf(script)))
        {
            yield return $"{script} is not in this checkout, so the models it makes were not measured";
            yield break;
        }
        console.WriteLine($"preparing: {script}");
        var (exit, output) = children.RunProgram(program, [script], repository.Root);
        if (exit != 0) yield return $"{script} failed (exit {exit}): {Text.LastLines(output, 2)}";
    }
}
