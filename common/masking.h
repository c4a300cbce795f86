// What a booth may show of a student: a masked name (张**三) and a masked ID
// number (****8746), never the plain ones (DESIGN.md, "Privacy").
#pragma once

#include <string>
#include <vector>

namespace gradcap {

// Splits UTF-8 text into characters (code points, as byte strings).
std::vector<std::string> Utf8Chars(const std::string& s);

// 张三 → 张*, 张小三 → 张**三, 欧阳小明 → 欧**明, A → *.
std::string MaskName(const std::string& name);
// Last four characters after four stars: 36010219990101874X → ****874X.
std::string MaskIdNo(const std::string& id_no);

}  // namespace gradcap
