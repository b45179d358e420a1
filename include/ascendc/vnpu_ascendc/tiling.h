// vnpu_ascendc/tiling.h — tiling data: the host's BEGIN_TILING_DATA_DEF classes and the
// kernel's GET_TILING_DATA, plus tiling keys.
//
// A tiling class is a plain struct of its fields in declaration order (each at a multiple
// of its size, as the chip's framework lays them out) with set_<field>/get_<field> and
// SaveToBuffer; the kernel reads the same bytes back with GET_TILING_DATA_WITH_STRUCT (or
// GET_TILING_DATA, for the class a translation unit registered last).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "vnpu_ascendc/common.h"

namespace vnpu::ascendc {

/// The base of every tiling class: serialization by bytes.
template <class Derived>
struct TilingDef {
  void SaveToBuffer(void* pdata, std::size_t capacity) const {
    if (capacity >= sizeof(Derived)) std::memcpy(pdata, static_cast<const Derived*>(this), sizeof(Derived));
  }
  std::size_t GetDataSize() const { return sizeof(Derived); }
  void SetDataPtr(void*) {}
};

VNPU_ASCENDC_API std::int32_t tiling_key();
VNPU_ASCENDC_API void register_tiling_class(const char* op, const char* cls, std::size_t size);

/// Copies `bytes` of tiling data from global memory (noted in checked mode).
inline void copy_tiling(void* dst, const void* gm, std::size_t bytes) {
  if (checking()) note_gm(gm, bytes, kGmRead);
  std::memcpy(dst, gm, bytes);
}
template <class T>
T read_tiling(const void* gm) {
  T t;
  copy_tiling(static_cast<void*>(&t), gm, sizeof(T));
  return t;
}

}  // namespace vnpu::ascendc

#define BEGIN_TILING_DATA_DEF(class_name)                            \
  class class_name : public ::vnpu::ascendc::TilingDef<class_name> { \
   public:                                                           \
    const char* GetTilingClassName() const { return #class_name; }
#define TILING_DATA_FIELD_DEF(data_type, field_name)                      \
  data_type field_name = 0;                                               \
  void set_##field_name(data_type value) { field_name = value; }          \
  data_type get_##field_name() const { return field_name; }
#define TILING_DATA_FIELD_DEF_ARR(arr_type, arr_size, field_name)                          \
  arr_type field_name[arr_size] = {};                                                      \
  void set_##field_name(const arr_type* value) {                                           \
    std::memcpy(field_name, value, sizeof(field_name));                                    \
  }                                                                                        \
  arr_type* get_##field_name() { return field_name; }
#define TILING_DATA_FIELD_DEF_STRUCT(struct_type, field_name) struct_type field_name;
#define END_TILING_DATA_DEF }
#define REGISTER_TILING_DATA_CLASS(op_type, class_name)                                             \
  static const bool vnpu_tiling_registered_##op_type##class_name =                                  \
      (::vnpu::ascendc::register_tiling_class(#op_type, #class_name, sizeof(class_name)), true);    \
  using VnpuDefaultTiling = class_name;
#define REGISTER_TILING_DEFAULT(class_name) using VnpuDefaultTiling = class_name;

/// Declares `tiling_data` (the translation unit's registered tiling class) filled from the
/// kernel's tiling argument.
#define GET_TILING_DATA(tiling_data, tiling_arg) \
  VnpuDefaultTiling tiling_data = ::vnpu::ascendc::read_tiling<VnpuDefaultTiling>(tiling_arg)
#define GET_TILING_DATA_WITH_STRUCT(struct_name, tiling_data, tiling_arg) \
  struct_name tiling_data = ::vnpu::ascendc::read_tiling<struct_name>(tiling_arg)
#define GET_TILING_DATA_MEMBER(struct_name, mem_name, tiling_data, tiling_arg)                              \
  decltype(struct_name::mem_name) tiling_data;                                                             \
  ::vnpu::ascendc::copy_tiling(&tiling_data,                                                                \
                               reinterpret_cast<const std::uint8_t*>(tiling_arg) + offsetof(struct_name, mem_name), \
                               sizeof(tiling_data))
#define GET_TILING_DATA_PTR_WITH_STRUCT(struct_name, dst_ptr, tiling_ptr) \
  const struct_name* dst_ptr = reinterpret_cast<const struct_name*>(tiling_ptr)
/// True in the branch of the tiling key ICPU_SET_TILING_KEY (or the launch) chose.
#define TILING_KEY_IS(key) (::vnpu::ascendc::tiling_key() == (key))
