using System;
using System.Text;

namespace AnalyzerScale;

/// <summary>Writes C# source line by line, with indentation, and counts the lines.</summary>
internal sealed class CodeWriter
{
    private readonly StringBuilder _text = new();
    private int _indent;

    public int Lines { get; private set; }

    public void Line(string line = "")
    {
        if (line.Length > 0)
        {
            _text.Append(' ', _indent * 4);
        }

        _text.Append(line).Append('\n');
        Lines++;
    }

    /// <summary>Writes a block of lines, each indented by the current level (lines keep their own relative indentation).</summary>
    public void Block(string block)
    {
        foreach (var line in block.Split('\n'))
        {
            Line(line.TrimEnd('\r'));
        }
    }

    public void Open(string line)
    {
        Line(line);
        Line("{");
        _indent++;
    }

    public void Close(string suffix = "")
    {
        _indent = Math.Max(0, _indent - 1);
        Line("}" + suffix);
    }

    public override string ToString() => _text.ToString();
}
