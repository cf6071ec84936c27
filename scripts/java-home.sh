# shellcheck shell=bash
# Source this file (do not execute it): selects a JDK 21+ for the RAG suite.
#
#   source scripts/java-home.sh || exit 1
#
# Keeps $JAVA_HOME if it points to a JDK whose `java -version` major is >= 21; otherwise
# searches /usr/lib/jvm/*, /opt/java*, /opt/jdk* (and one level below those /opt dirs)
# for the highest JDK >= 21. Exports JAVA_HOME and prepends $JAVA_HOME/bin to PATH.
# Returns 1 with a message on stderr if none is found. Minimum version: $RAG_JAVA_MIN (21).

# Prints the major version of the given java binary (8 for "1.8.0_x", 17 for "17.0.2", 25 for "25").
_rag_java_major() {
    local v
    v=$("$1" -version 2>&1 | awk -F'"' '/version "/ { print $2; exit }') || return 1
    [[ -n "$v" ]] || return 1
    if [[ "$v" == 1.* ]]; then v=${v#1.}; fi
    v=${v%%[!0-9]*}
    [[ -n "$v" ]] || return 1
    printf '%s\n' "$v"
}

_rag_select_java_home() {
    local min=${RAG_JAVA_MIN:-21} best="" best_major=0 dir major
    if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" && -x "$JAVA_HOME/bin/javac" ]]; then
        major=$(_rag_java_major "$JAVA_HOME/bin/java") || major=0
        if (( major >= min )); then
            best=$JAVA_HOME
        else
            echo "java-home: ignoring JAVA_HOME=$JAVA_HOME (Java $major < $min)" >&2
        fi
    fi
    if [[ -z "$best" ]]; then
        for dir in /usr/lib/jvm/* /opt/java* /opt/java*/* /opt/jdk* /opt/jdk*/*; do
            [[ -x "$dir/bin/java" && -x "$dir/bin/javac" ]] || continue
            major=$(_rag_java_major "$dir/bin/java") || continue
            if (( major >= min && major > best_major )); then
                best=$dir best_major=$major
            fi
        done
    fi
    if [[ -z "$best" ]]; then
        echo "error: no JDK ${min}+ found; install one and set JAVA_HOME" >&2
        return 1
    fi
    export JAVA_HOME="$best"
    case ":$PATH:" in
        ":$JAVA_HOME/bin:"*) ;;   # already first
        *) export PATH="$JAVA_HOME/bin:$PATH" ;;
    esac
}

_rag_select_java_home
_rag_rc=$?
unset -f _rag_select_java_home _rag_java_major
if (( _rag_rc != 0 )); then unset _rag_rc; return 1; fi
unset _rag_rc
