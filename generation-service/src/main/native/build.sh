#!/usr/bin/env bash
# Builds the generation service's llama.cpp binding (llama_jni.cpp) into one self-contained shared library,
# libragllama.so, and copies it to OUT_DIR. Maven runs this at generate-resources, so the library lands in the
# jar (and in the images built from it).
#   src/main/native/build.sh OUT_DIR
#
# llama.cpp comes from the llama-cpp-python sdist on PyPI (its vendor/llama.cpp), the same version the suite's
# peer server, goldens and benchmarks use, checked against the SHA-256 below. llama.cpp and ggml are built once
# as static, position-independent libraries (CPU, native instructions, OpenMP; about 10 minutes on 2 cores)
# and the binding links them in, so the library needs only libc, libstdc++ and libgomp. Both steps are cached
# outside the repo under $RAG_CACHE_DIR/native (default ~/.cache/rag-suite), keyed by the llama.cpp version,
# the build flags, this CPU's instruction set (scripts/native-isa.sh: a native build made on another CPU may not
# run here, and picks other kernels) and this folder's files; a cached build takes well under a second.
set -euo pipefail
out=${1:?usage: build.sh OUT_DIR}
here=$(cd "$(dirname "$0")" && pwd)
cache=${RAG_CACHE_DIR:-$HOME/.cache/rag-suite}
version=0.3.36
sdist_sha256=832db0699007f1be95a7e41ef12e88926b02ba836461e36a36372db2760c1a2e
flags=(-DCMAKE_BUILD_TYPE=Release -DBUILD_SHARED_LIBS=OFF -DCMAKE_POSITION_INDEPENDENT_CODE=ON -DLLAMA_CURL=OFF
    -DLLAMA_OPENSSL=OFF -DGGML_NATIVE=ON -DLLAMA_BUILD_SERVER=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF
    -DLLAMA_BUILD_TOOLS=OFF)
die() { echo "native/build.sh: error: $*" >&2; exit 1; }

for tool in cmake g++ sha256sum; do
    command -v "$tool" >/dev/null || die "$tool not found (Debian: apt-get install cmake g++ coreutils)"
done
java_home=${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")}
[[ -f $java_home/include/jni.h ]] || die "no jni.h under JAVA_HOME=$java_home (a JDK, not a JRE, is needed)"

mkdir -p "$cache/native" "$cache/sdist" "$cache/native-src"
exec 9>"$cache/native/.lock"
flock 9   # one build at a time (Maven modules or two checkouts building together)

sdist="$cache/sdist/llama_cpp_python-$version.tar.gz"
if [[ ! -f $sdist ]]; then
    python3 -m pip download -q --no-deps --no-binary :all: -d "$cache/sdist" "llama-cpp-python==$version" \
        || die "could not download llama-cpp-python $version's sdist from PyPI"
fi
echo "$sdist_sha256  $sdist" | sha256sum -c --quiet - || die "$sdist does not have the pinned SHA-256; delete it to fetch it again"
src="$cache/native-src/llama_cpp_python-$version/vendor/llama.cpp"
[[ -f $src/include/llama.h ]] || tar -xzf "$sdist" -C "$cache/native-src"

isa=$("$here/../../../../scripts/native-isa.sh") || die "could not tell this CPU's instruction set"
lib_key=$(printf '%s\n' "$version" "${flags[@]}" "$isa" | sha256sum | cut -c1-12)
build="$cache/native/llama-$version-$lib_key"
if [[ ! -f $build/.done ]]; then
    echo "native/build.sh: building llama.cpp $version (static, CPU) in $build; about 10 minutes on 2 cores" >&2
    cmake -S "$src" -B "$build" "${flags[@]}" > "$build.cmake.log" 2>&1 || die "cmake failed; see $build.cmake.log"
    cmake --build "$build" -j "$(nproc)" --target llama-common > "$build.log" 2>&1 || die "build failed; see $build.log"
    touch "$build/.done"
fi

shim_key=$(cat "$here"/*.cpp "$here/build.sh" | sha256sum | cut -c1-12)
shim="$cache/native/ragllama-$lib_key-$shim_key/libragllama.so"
if [[ ! -f $shim ]]; then
    mkdir -p "$(dirname "$shim")"
    libs=()
    for name in llama-common llama-common-base llama ggml ggml-cpu ggml-base; do
        found=$(find "$build" -name "lib$name.a" | head -n 1)
        [[ -n $found ]] || die "lib$name.a not found in $build"
        libs+=("$found")
    done
    # -Wl,--exclude-libs,ALL keeps llama.cpp's own symbols out of the library's exports (only the JNI entry
    # points are visible), so it cannot clash with another llama.cpp in the same process.
    g++ -std=c++17 -O2 -fPIC -shared -o "$shim.tmp" "$here/llama_jni.cpp" \
        -I"$java_home/include" -I"$java_home/include/linux" -I"$src/include" -I"$src/ggml/include" -I"$src/common" \
        -Wl,--start-group "${libs[@]}" -Wl,--end-group -Wl,--exclude-libs,ALL -fopenmp -lpthread -ldl \
        || die "compiling llama_jni.cpp failed"
    mv "$shim.tmp" "$shim"
fi
mkdir -p "$out"
cp "$shim" "$out/libragllama.so"
echo "$out/libragllama.so"
