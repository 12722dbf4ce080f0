using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Text;
using System.Threading;

namespace Executor;

/// <summary>Argument checks that name the parameter (and compile on every target framework).</summary>
internal static class Guard
{
    public static void NotNull(object? value, string paramName)
    {
        if (value is null)
        {
            throw new ArgumentNullException(paramName);
        }
    }
}

/// <summary>A point in time measured with <see cref="Stopwatch"/>, so sub-millisecond timeouts are kept.</summary>
internal readonly struct Deadline
{
    private readonly long _end;

    private Deadline(long end) => _end = end;

    public static Deadline Infinite => new(long.MaxValue);

    public bool IsInfinite => _end == long.MaxValue;

    /// <summary>Starts a deadline now; null and <see cref="Timeout.InfiniteTimeSpan"/> mean no limit.</summary>
    public static Deadline From(TimeSpan? timeout, string paramName)
    {
        if (timeout is not { } t || t == Timeout.InfiniteTimeSpan)
        {
            return Infinite;
        }

        if (t < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(paramName, t, "The timeout must be zero or positive, or null (or Timeout.InfiniteTimeSpan) to wait without limit.");
        }

        double ticks = t.Ticks * ((double)Stopwatch.Frequency / TimeSpan.TicksPerSecond);
        long now = Stopwatch.GetTimestamp();
        return ticks >= long.MaxValue - now - 1 ? new Deadline(long.MaxValue - 1) : new Deadline(now + (long)Math.Ceiling(ticks));
    }

    /// <summary>Milliseconds to pass to a wait: -1 without limit, 0 once passed, else the rest rounded up (at least 1).</summary>
    public int RemainingMilliseconds()
    {
        if (IsInfinite)
        {
            return Timeout.Infinite;
        }

        long rest = _end - Stopwatch.GetTimestamp();
        if (rest <= 0)
        {
            return 0;
        }

        double ms = Math.Ceiling(rest * 1000.0 / Stopwatch.Frequency);
        return ms >= int.MaxValue - 1 ? int.MaxValue - 1 : Math.Max(1, (int)ms);
    }

    /// <summary>The time left, for APIs that take a <see cref="TimeSpan"/>; null without limit.</summary>
    public TimeSpan? Remaining()
    {
        if (IsInfinite)
        {
            return null;
        }

        long rest = Math.Max(0, _end - Stopwatch.GetTimestamp());
        return TimeSpan.FromTicks((long)(rest * ((double)TimeSpan.TicksPerSecond / Stopwatch.Frequency)));
    }
}

/// <summary>C#-style type names for <see cref="Future.ToString"/>: <c>int</c>, <c>List&lt;string&gt;</c>, <c>int[]</c>, <c>int?</c>.</summary>
internal static class TypeNames
{
    private static readonly Dictionary<Type, string> s_keywords = new()
    {
        [typeof(bool)] = "bool", [typeof(byte)] = "byte", [typeof(sbyte)] = "sbyte", [typeof(char)] = "char",
        [typeof(short)] = "short", [typeof(ushort)] = "ushort", [typeof(int)] = "int", [typeof(uint)] = "uint",
        [typeof(long)] = "long", [typeof(ulong)] = "ulong", [typeof(float)] = "float", [typeof(double)] = "double",
        [typeof(decimal)] = "decimal", [typeof(string)] = "string", [typeof(object)] = "object",
    };

    public static string Display(Type type)
    {
        if (s_keywords.TryGetValue(type, out var keyword))
        {
            return keyword;
        }

        if (type.IsArray)
        {
            return Display(type.GetElementType()!) + "[" + new string(',', type.GetArrayRank() - 1) + "]";
        }

        if (Nullable.GetUnderlyingType(type) is { } underlying)
        {
            return Display(underlying) + "?";
        }

        if (!type.IsGenericType)
        {
            return type.Name;
        }

        string name = type.Name;
        int tick = name.IndexOf('`');
        var builder = new StringBuilder(tick > 0 ? name.Substring(0, tick) : name).Append('<');
        var arguments = type.GetGenericArguments();
        for (int i = 0; i < arguments.Length; i++)
        {
            builder.Append(i == 0 ? string.Empty : ", ").Append(Display(arguments[i]));
        }

        return builder.Append('>').ToString();
    }
}
