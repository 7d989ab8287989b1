/** How a survivor's name is cut into the tokens its blind index and its search compare (core/name-index.ts). */
import { nameTokens } from '../../../core/name-index';

describe('name-tokens', () => {
  test.each([
    ['Trần Văn Đức', 'Tran Van Duc'],
    ['Đặng Thị Hoa', 'dang thi hoa'],
    ['Łukasz Wałęsa', 'Lukasz Walesa'],
    ['Søren Ærø', 'Soren Aero'],
    ['Straße', 'Strasse'],
    ['Yıldız', 'Yildiz'],
    ['María José López-García', 'maria jose lopez garcia'],
    ["Seán O'Brien", 'SEAN OBRIEN'],
    // Invisible format characters pasted from a PDF or a word processor: zero-width space, joiner, soft hyphen, BOM.
    ['Yarrow\u200Bind Pell\u00ADu\u200Dcast', 'Yarrowind Pellucast'],
    ['\uFEFFAmi\u2060na Ro\u200Bse', 'amina rose'],
    // Marks a name is written with or without: Arabic harakat and hamza, Hebrew points, half-width kana.
    ['مُحَمَّد أَحْمَد', 'محمد احمد'],
    ['שָׂרָה לֵוִי', 'שרה לוי'],
    ['ｶﾞｸ', 'ガク'],
    // The same name typed on an Arabic keyboard and on a Persian one.
    ['علي كريمي', 'علی کریمی'],
    ['مصطفى', 'مصطفی'],
  ])('%s is found as %s', (indexed, typed) => {
    expect(nameTokens(typed)).toEqual(nameTokens(indexed));
  });

  test('names in scripts without Latin letters keep their own tokens', () => {
    expect(nameTokens('فاطمة الزهراء')).toEqual(['فاطمة', 'الزهراء']);
    expect(nameTokens('王小明')).toEqual(['王小明']);
  });

  test('vowel signs, viramas and voicing marks are letters of the name: different names stay different', () => {
    // Devanagari: Ram Sharma is not found as Rama, nor Sita as "sat"; their tokens keep their vowel signs whole.
    expect(nameTokens('राम शर्मा')).toEqual(['राम', 'शर्मा']);
    expect(nameTokens('रमा')).not.toEqual(nameTokens('राम'));
    expect(nameTokens('रम')).not.toEqual(nameTokens('राम'));
    expect(nameTokens('सीता')).not.toEqual(nameTokens('सत'));
    expect(nameTokens('রমা')).not.toEqual(nameTokens('রাম'));
    expect(nameTokens('สมชาย')).toEqual(['สมชาย']);
    expect(nameTokens('အောင်')).toEqual(['အောင်'.normalize('NFKD')]);
    expect(nameTokens('ガク')).not.toEqual(nameTokens('カク'));
  });

  test('format characters are dropped, not split at: a Persian name with its non-joiner is one word', () => {
    expect(nameTokens('Yarrow\u200Bind Pell\u00ADu\u200Dcast')).toEqual(['yarrowind', 'pellucast']);
    expect(nameTokens('مهر\u200Cانگیز')).toEqual(['مهرانگیز']);
    expect(nameTokens('مهرانگیز')).toEqual(['مهرانگیز']);
  });
});
