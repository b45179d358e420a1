// tools/io/regular_file.hpp — opening the files a tool is told to read, without trusting them.
//
// Only regular files are read. A FIFO, a terminal, a socket, /dev/zero or a directory is
// refused before anything is read, and opening a FIFO does not wait for a writer, so an
// endless or blocking stream can neither hang a tool nor make it fill memory. The size is
// known once the file is open and every read is positioned and bounded: a tool reads the
// bytes a header announces, or refuses a file above its cap, instead of buffering first.
//
//     std::string error;
//     std::optional<vnpu::io::RegularFile> f = vnpu::io::RegularFile::open(path, &error);
//     if (!f) return fail(error);  // "cannot open 'x.npy': No such file or directory"
//     std::vector<std::byte> head(std::min<std::uint64_t>(f->size(), 64));
//     const std::optional<std::size_t> got = f->read_at(0, head, &error);
//
// Not thread-safe; the file is closed when the object is destroyed. Nothing throws except
// std::bad_alloc (from the error messages).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

namespace vnpu::io {

class RegularFile {
 public:
  /// Opens `path` for reading. On failure: nullopt, and *error is one line naming the path,
  /// "cannot open 'PATH': <the OS error>" or "'PATH' is not a regular file (a FIFO)" (or a
  /// directory, a character device, a block device, a socket).
  static std::optional<RegularFile> open(const std::string& path, std::string* error);

  RegularFile(RegularFile&& other) noexcept;
  RegularFile& operator=(RegularFile&& other) noexcept;
  RegularFile(const RegularFile&) = delete;
  RegularFile& operator=(const RegularFile&) = delete;
  ~RegularFile();

  /// The file's size in bytes when it was opened.
  std::uint64_t size() const noexcept { return size_; }
  const std::string& path() const noexcept { return path_; }

  /// Reads up to dst.size() bytes starting at `offset`. Returns how many were read: fewer
  /// only where the file ends (it may have shrunk since it was opened). On a read error:
  /// nullopt, and *error is "cannot read 'PATH': <the OS error>".
  std::optional<std::size_t> read_at(std::uint64_t offset, std::span<std::byte> dst, std::string* error) const;

 private:
  RegularFile(int fd, std::uint64_t size, std::string path) noexcept;
  int fd_ = -1;
  std::uint64_t size_ = 0;
  std::string path_;
};

}  // namespace vnpu::io
