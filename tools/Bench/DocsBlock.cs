namespace OnnxLowRank.Bench;

/// <summary>
/// The generated part of docs/benchmarks.md: everything between the two markers is the bench's, the rest of
/// the file (sections written by hand, with their own commands) is left as it is.
/// </summary>
internal static class DocsBlock
{
    public const string Begin = "<!-- tools/Bench: begin (generated; rewritten by each full run) -->";
    public const string End = "<!-- tools/Bench: end -->";

    public static void Replace(string path, string content)
    {
        var text = File.ReadAllText(path);
        var begin = text.IndexOf(Begin, StringComparison.Ordinal);
        var end = text.IndexOf(End, StringComparison.Ordinal);
        if (begin < 0 || end < begin)
            throw new InvalidOperationException($"{path} has no '{Begin}' ... '{End}' markers; put them where the bench's tables belong.");
        var updated = text[..(begin + Begin.Length)] + "\n\n" + content.TrimEnd() + "\n\n" + text[end..];
        // Written beside and moved into place, so an interrupted run never leaves half a document.
        var partial = path + ".partial";
        File.WriteAllText(partial, updated);
        File.Move(partial, path, overwrite: true);
    }
}
