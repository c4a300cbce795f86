#include "common/csv.h"

#include <gtest/gtest.h>

#include "common/gb18030_for_tests.h"

namespace gradcap {
namespace {


const char kRoster[] = "学号,姓名,学院\nS1,张三,信息工程学院\nS2,李小四,经济管理学院\n";

TEST(Csv, ReadsUtf8) {
  auto t = ParseCsv(kRoster, "r.csv");
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->encoding, "UTF-8");
  EXPECT_EQ(t->header[1], "姓名");
  ASSERT_EQ(t->rows.size(), 2u);
  EXPECT_EQ(t->rows[1].fields[1], "李小四");
  EXPECT_EQ(t->rows[1].line, 3);
}

TEST(Csv, ReadsUtf8WithBom) {
  auto t = ParseCsv(std::string("\xEF\xBB\xBF") + kRoster, "r.csv");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->encoding, "UTF-8 (BOM)");
  EXPECT_EQ(t->header[0], "学号");
}

TEST(Csv, ReadsGb18030AsExcelSavesIt) {
  const std::string gbk = ToGb18030(kRoster);
  ASSERT_NE(gbk, kRoster);
  auto t = ParseCsv(gbk, "r.csv");
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->encoding, "GB18030");
  EXPECT_EQ(t->rows[0].fields[2], "信息工程学院");
}

TEST(Csv, ReadsTabsAndQuotedFields) {
  auto t = ParseCsv("a\tb\tc\n\"x, y\"\t\"say \"\"hi\"\"\"\t\"two\nlines\"\nplain\t  spaced  \t\n", "t.tsv");
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->delimiter, '\t');
  ASSERT_EQ(t->rows.size(), 2u);
  EXPECT_EQ(t->rows[0].fields[0], "x, y");
  EXPECT_EQ(t->rows[0].fields[1], "say \"hi\"");
  EXPECT_EQ(t->rows[0].fields[2], "two\nlines");
  EXPECT_EQ(t->rows[1].line, 4);
  EXPECT_EQ(t->rows[1].fields[1], "spaced");
  EXPECT_EQ(t->rows[1].fields[2], "");
}

TEST(Csv, SkipsBlankLinesAndHandlesCrLf) {
  auto t = ParseCsv("a,b\r\n\r\n1,2\r\n,\r\n", "c.csv");
  ASSERT_TRUE(t.ok());
  ASSERT_EQ(t->rows.size(), 1u);
  EXPECT_EQ(t->rows[0].fields[1], "2");
}

TEST(Csv, EmptyFileIsAnError) {
  auto t = ParseCsv("", "e.csv");
  EXPECT_FALSE(t.ok());
  EXPECT_NE(t.status().message().find("empty"), absl::string_view::npos);
  EXPECT_FALSE(ParseCsv("\xEF\xBB\xBF \n\n", "e.csv").ok());
}

TEST(Csv, UnterminatedQuoteNamesItsLine) {
  auto t = ParseCsv("a,b\n1,2\n3,\"oops\n", "q.csv");
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.status().message().find("q.csv line 3"), absl::string_view::npos) << t.status();
}

TEST(Csv, WrongFieldCountNamesItsLine) {
  auto t = ParseCsv("a,b\n1,2\n3,4,5\n", "f.csv");
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.status().message().find("f.csv line 3: 3 fields"), absl::string_view::npos) << t.status();
}

TEST(Csv, BytesThatAreNeitherUtf8NorGb18030AreRefused) {
  auto t = ParseCsv(std::string("a,b\n1,\x81\x20\n"), "b.csv");
  EXPECT_FALSE(t.ok());
}

TEST(Csv, SurrogatesOverlongFormsAndCodePointsPastUnicodeAreNotUtf8) {
  EXPECT_TRUE(IsValidUtf8("\xE5\xAD\xA6\xEF\xBF\xBD\xF0\x9F\x98\x80\xF4\x8F\xBF\xBF"));
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));      // U+D800, a surrogate
  EXPECT_FALSE(IsValidUtf8("\xED\xBB\x8E"));      // U+DECE
  EXPECT_FALSE(IsValidUtf8("\xE0\x80\xAF"));      // "/" overlong
  EXPECT_FALSE(IsValidUtf8("\xF0\x80\x80\xAF"));  // "/" overlong
  EXPECT_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));  // past U+10FFFF
  EXPECT_FALSE(IsValidUtf8("\xF5\x80\x80\x80"));
}

// Found by fuzz/csv_fuzzer: a name holding an encoded surrogate passed as
// UTF-8, so the roster import stored a Student that protobuf cannot parse
// back (the coordinator could not have loaded its registry again).
TEST(Csv, EveryFieldOfAFileTakenIsValidUtf8) {
  const std::string file =
      "学号,姓名,身份证号\nS2021002,\xED\xBB\x8E\xE8\x8B\xB1,360102200203031023\n";
  absl::StatusOr<CsvTable> table = ParseCsv(file, "roster.csv");
  if (!table.ok()) {
    EXPECT_NE(table.status().message().find("roster.csv"), std::string::npos) << table.status();
    return;
  }
  EXPECT_NE(table->encoding, "UTF-8");
  for (const CsvRow& row : table->rows) {
    for (const std::string& field : row.fields) EXPECT_TRUE(IsValidUtf8(field)) << field;
  }
}

TEST(Csv, MapColumnsAcceptsEnglishOrChineseInAnyOrder) {
  auto t = ParseCsv("College,学号,extra\nx,1,y\n", "m.csv");
  ASSERT_TRUE(t.ok());
  auto m = MapColumns(*t, {{"student_no", {"student_no", "学号"}}, {"college", {"college", "学院"}}});
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->at("student_no"), 1);
  EXPECT_EQ(m->at("college"), 0);
}

TEST(Csv, MapColumnsNamesWhatIsMissing) {
  auto t = ParseCsv("学号\n1\n", "m.csv");
  ASSERT_TRUE(t.ok());
  auto m = MapColumns(*t, {{"student_no", {"student_no", "学号"}}, {"name", {"name", "姓名"}}});
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.status().message().find("name (name / 姓名)"), absl::string_view::npos) << m.status();
}

TEST(Csv, WrittenLinesReadBackTheSame) {
  const std::vector<std::string> fields = {"S2021001", "张**三", "a, b", "say \"cheese\"", "two\nlines", ""};
  const std::string file = std::string(kCsvUtf8Bom) + CsvLine({"a", "b", "c", "d", "e", "f"}) + CsvLine(fields);
  auto t = ParseCsv(file, "out.csv");
  ASSERT_TRUE(t.ok()) << t.status();
  ASSERT_EQ(t->rows.size(), 1u);
  EXPECT_EQ(t->rows[0].fields, fields);
}

}  // namespace
}  // namespace gradcap
