// tools/io/regular_file.cpp — regular files only, positioned and bounded reads (see the header).
#include "regular_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace vnpu::io {

namespace {

const char* file_kind(mode_t mode) noexcept {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISSOCK(mode)) return "a socket";
  return "of an unknown kind";
}

std::string os_error(const char* what, const std::string& path, int err) {
  return std::string(what) + " '" + path + "': " + std::strerror(err);
}

}  // namespace

std::optional<RegularFile> RegularFile::open(const std::string& path, std::string* error) {
  // O_NONBLOCK: opening a FIFO must not wait for a writer (regular files ignore the flag).
  const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    *error = os_error("cannot open", path, errno);
    return std::nullopt;
  }
  RegularFile file(fd, 0, path);
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    *error = os_error("cannot open", path, errno);
    return std::nullopt;
  }
  if (!S_ISREG(st.st_mode)) {
    *error = "'" + path + "' is not a regular file (" + file_kind(st.st_mode) + ")";
    return std::nullopt;
  }
  file.size_ = static_cast<std::uint64_t>(st.st_size);
  return file;
}

RegularFile::RegularFile(int fd, std::uint64_t size, std::string path) noexcept
    : fd_(fd), size_(size), path_(std::move(path)) {}

RegularFile::RegularFile(RegularFile&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), size_(other.size_), path_(std::move(other.path_)) {}

RegularFile& RegularFile::operator=(RegularFile&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
    size_ = other.size_;
    path_ = std::move(other.path_);
  }
  return *this;
}

RegularFile::~RegularFile() {
  if (fd_ >= 0) ::close(fd_);
}

std::optional<std::size_t> RegularFile::read_at(std::uint64_t offset, std::span<std::byte> dst,
                                                std::string* error) const {
  std::size_t done = 0;
  while (done < dst.size()) {
    const ssize_t n = ::pread(fd_, dst.data() + done, dst.size() - done, static_cast<off_t>(offset + done));
    if (n == 0) break;  // the end of the file
    if (n < 0) {
      if (errno == EINTR) continue;
      *error = os_error("cannot read", path_, errno);
      return std::nullopt;
    }
    done += static_cast<std::size_t>(n);
  }
  return done;
}

}  // namespace vnpu::io
